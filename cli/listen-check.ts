/**
 * A port taken by another process is found before the gRPC server binds: grpc-js logs its own
 * "E No address added out of total 1 resolved" line on stderr before it reports the failure, so
 * the user would see a stray library line above our one-line error.
 */
import { createServer } from "node:net";
import { CliError } from "./cli-error.js";

/** Resolves when `host:port` can be listened on now (port 0 always can); CliError naming the flag otherwise. */
export async function checkPortFree(flag: string, host: string, port: number): Promise<void> {
  if (port === 0) return;
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === "EADDRINUSE"
          ? "another process is listening there; stop it or pick another port"
          : error.code === "EADDRNOTAVAIL"
            ? "this machine has no such address; use one of its own addresses (127.0.0.1 for loopback)"
            : error.code === "EACCES"
              ? "not allowed to listen there (ports below 1024 need privileges); pick a port above 1024"
              : `${error.code ?? error.message}; pick another address`;
      reject(new CliError(`cannot listen on ${host}:${port} (${error.code ?? "error"}): ${reason} (${flag}).`, { cause: error, exitCode: 1 }));
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}
