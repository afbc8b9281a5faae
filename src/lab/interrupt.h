// Ctrl-C and SIGTERM while a lab is being built or run: the handler only
// records the signal; the long operations poll interrupted() and unwind, so
// the lab is taken down by the same code as on any other failure.
#pragma once

namespace halink::lab {

void install_interrupt_handler();  // SIGINT, SIGTERM, SIGHUP
bool interrupted();

}  // namespace halink::lab
