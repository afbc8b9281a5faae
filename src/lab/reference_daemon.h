// BIRD 2 and FRR as processes: where their binaries are, how each is
// started inside a network namespace with every file in one folder, and
// how its sessions are read back. Shared by the lab (`daemon: bird | frr`
// nodes) and by tests and benchmarks that start the same daemons
// (tests/interop, bench/fulltable, bench/failover).
//
// FRR: zebra, then bfdd, then bgpd, each in the foreground (`-f FILE`,
// `--vty_socket DIR`, `-z DIR/zserv.api`); started in another order BFD
// sessions appear ~10 s late and flap (lab notes). The daemons drop to the
// frr user, so the folder must be world-writable. BIRD: `bird -f -c FILE
// -s SOCKET`.
#pragma once

#include <string>
#include <vector>

#include "config/topology.h"
#include "core/result.h"
#include "lab/command.h"

namespace halink::lab {

inline constexpr const char* bird_binary = "/usr/sbin/bird";
inline constexpr const char* birdc_binary = "/usr/sbin/birdc";
inline constexpr const char* zebra_binary = "/usr/lib/frr/zebra";
inline constexpr const char* bfdd_binary = "/usr/lib/frr/bfdd";
inline constexpr const char* bgpd_binary = "/usr/lib/frr/bgpd";
inline constexpr const char* vtysh_binary = "/usr/bin/vtysh";

// The FRR daemons in the order they must start.
inline constexpr const char* frr_daemons[] = {"zebra", "bfdd", "bgpd"};

// Empty when every binary `daemon` needs is installed, else the missing ones.
std::string missing_reference_binaries(config::DaemonKind daemon);

// `bird -f -c CONFIG -s SOCKET` (add -p to only parse the file).
Argv bird_argv(const std::string& config_file, const std::string& socket);
// `birdc -s SOCKET COMMAND...`.
Argv birdc_argv(const std::string& socket, const std::string& command);
// One FRR daemon ("zebra", "bfdd", "bgpd") with its config DIR/DAEMON.conf,
// pid file, vty socket and zserv socket in `dir`, no vty TCP port.
Argv frr_daemon_argv(const std::string& daemon, const std::string& dir);
// The unix socket a running FRR daemon answers vtysh on.
std::string frr_vty_socket(const std::string& daemon, const std::string& dir);
// `vtysh --vty_socket DIR -c COMMAND`.
Argv vtysh_argv(const std::string& dir, const std::string& command);

// One neighbour of a router as its BIRD or FRR sees it.
struct ReferenceSession {
  std::string neighbor;   // the neighbour's name in the topology
  std::string bgp_state;  // "Established", "Active", ... ("" unknown)
  std::string bfd_state;  // "Up", "Down", "Init", "AdminDown" ("" no BFD session)
};

// Asks the daemon of `router` (its files in `dir`) for every neighbour's
// BGP and BFD state; an Error when it does not answer.
Result<std::vector<ReferenceSession>> query_reference_sessions(const config::RouterConfig& router,
                                                               config::DaemonKind daemon, const std::string& dir);

}  // namespace halink::lab
