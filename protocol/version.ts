/** Version of the wire contract; every message carries it as `v`. */
export const PROTOCOL_VERSION = 1;
