/** Tandem's API client, shared by the web and mobile apps. */
export * from "./client";
export * from "./sse";
export * from "./history";
export * from "./orders";
export * from "./csat";
export * from "./session";
export * from "./chatState";
export * from "./attachments";
export type * from "./events";
export type * from "./types";
