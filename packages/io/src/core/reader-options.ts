/** Options every format reader accepts. */
export interface ReaderOptions {
  /** Name of the file the bytes came from; used in error messages and for format sniffing. */
  fileName?: string;
}
