#include "bot/background_thread.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>
#include <string>

namespace tilang::bot {
namespace {

constexpr int background_nice = 5;

}  // namespace

void name_this_thread(const char* name) {
  // Linux limits names to 15 characters plus the terminator.
  const std::string shortened(name, strnlen(name, 15));
  (void)pthread_setname_np(pthread_self(), shortened.c_str());
}

void run_as_background(const char* name) {
  name_this_thread(name);
  // On Linux setpriority(PRIO_PROCESS, tid) applies to one thread; raising nice needs no privilege.
  // Failure (another OS, a sandbox) leaves the default priority, which is only slower under load.
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), background_nice);
}

}  // namespace tilang::bot
