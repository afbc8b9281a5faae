// sockaddr ⇄ ProbeEndpoint for the probe's UDP sockets (IPv4 and IPv6).
#pragma once

#include <sys/socket.h>

#include "lab/probe/probe_report.h"

namespace halink::lab {

socklen_t to_sockaddr(const ProbeEndpoint& endpoint, sockaddr_storage& out);
ProbeEndpoint from_sockaddr(const sockaddr_storage& address);

}  // namespace halink::lab
