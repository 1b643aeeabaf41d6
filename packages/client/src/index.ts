export * from './flowlineClient.ts';
