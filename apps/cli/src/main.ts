export async function main(_argv: string[], _io: unknown): Promise<number> { return 0; }
