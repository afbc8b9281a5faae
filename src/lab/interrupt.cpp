#include "lab/interrupt.h"

#include <signal.h>

#include <atomic>

namespace halink::lab {

namespace {
std::atomic<bool> interrupt_seen{false};
void on_signal(int) { interrupt_seen.store(true); }
}  // namespace

void install_interrupt_handler() {
  struct sigaction action = {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaction(s, &action, nullptr);
}

bool interrupted() { return interrupt_seen.load(); }

}  // namespace halink::lab
