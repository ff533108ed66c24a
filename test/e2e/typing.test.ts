import assert from 'node:assert/strict';
import { it } from 'node:test';
import { waitFor } from '../helpers/wait-for.js';
import { customer, startWorld } from '../helpers/world.js';

it('a member typing in a two-way Discord thread shows "typing…" on the phone (with discord.forwardTyping)', async (t) => {
  const world = await startWorld(t, { discord: { forwardTyping: true } });
  const discord = world.discord!;
  await world.phone.simulateInbound({ from: customer, text: 'hello?' });
  const thread = await waitFor(() => [...discord.state.threads.values()][0], { timeoutMs: 5000 });
  // The customer's text is in the thread: the bridge has linked the thread to the conversation.
  await waitFor(() => discord.state.messages(thread.id).some((message) => message.content === 'hello?'), {
    timeoutMs: 5000,
  });
  const alice = [...discord.state.members.values()].find((member) => member.user.username === 'alice')!;
  await discord.typing({ userId: alice.user.id, channelId: thread.id });
  const typing = await world.phone.waitForRequest({ method: 'POST', path: '/typing' }, 5000);
  assert.equal((typing.body as { from: string }).from, '+15551234567');
  assert.equal((typing.body as { to: string }).to, world.phone.state.chats[0]!.id);
  assert.equal(world.phone.state.outbox.filter((item) => item.kind === 'message').length, 0, 'typing sends no message');
});
