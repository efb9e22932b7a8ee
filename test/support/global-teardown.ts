/** Repeats, after jest's own summary, whether the PostgreSQL suite ran. */
export default async function globalTeardown(): Promise<void> {
  process.stdout.write(
    process.env.WF_TEST_PG === '1'
      ? `PostgreSQL suite: ran against ${process.env.WF_TEST_PG_URL}\n`
      : `PostgreSQL suite: SKIPPED (no server at ${process.env.WF_TEST_PG_URL}); set WF_TEST_PG_URL to run it\n`,
  );
}
