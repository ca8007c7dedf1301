/**
 * Waits in real time until `check` holds, asking every 20 ms, for at most `timeoutMs`; then fails
 * naming `what`. For what crosses processes or Redis (the fleet tests), where fake timers cannot
 * reach.
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what = 'the condition',
  timeoutMs = 10_000,
): Promise<void> {
  for (let waited = 0; !(await check()); waited += 20) {
    if (waited > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
