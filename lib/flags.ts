/** The command-line flag of an option key, e.g. natsTlsCert -> --nats-tls-cert: errors name what the user typed. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
