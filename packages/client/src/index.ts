export * from './flowlineClient.ts';
export * from './operationsViews.ts';
