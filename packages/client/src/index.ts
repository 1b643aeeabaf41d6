export * from './flowlineClient.ts';
export * from './operationsViews.ts';
export * from './httpTransport.ts';
