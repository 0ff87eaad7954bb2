// Thread names (visible in `top -H` and gdb) and the scheduling split between webhook acks and
// everything that happens after them.
#pragma once

namespace tilang::bot {

// Names the calling thread (at most 15 characters are kept).
void name_this_thread(const char* name);

// Names the calling thread and lowers its CPU priority (nice +5). For the parser, the engine, the
// sender and the schedulers: Meta waits for the webhook ack (and retries, then disables the
// subscription, when acks are slow), while a reply may take a few milliseconds longer. Under
// contention the io threads and the inbox writer therefore get the CPU first; when the machine is
// otherwise idle, the lower priority changes nothing.
void run_as_background(const char* name);

}  // namespace tilang::bot
