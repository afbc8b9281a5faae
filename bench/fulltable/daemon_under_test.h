// The BGP daemon between the blasters and the sink: halinkd, BIRD 2, FRR
// bgpd or GoBGP, each configured the same way — an eBGP neighbour per
// blaster (all in one AS, like the tunnels of a site pair) and one for the
// sink, accept everything from the blasters, send everything to the sink,
// nothing to the kernel — and started in its own network namespace. Processes are started
// and stopped by PID (tests/support/process.h); their peak RSS and CPU time
// are read from /proc.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/ip.h"

namespace halink::bench {

enum class DaemonKind { halinkd, bird, frr, gobgp };
const char* daemon_name(DaemonKind kind);  // "halinkd", "BIRD", "FRR", "GoBGP"
// Empty when every binary it needs is installed, else what is missing.
std::string missing_binaries(DaemonKind kind, const std::string& halinkd_binary);

// Addresses and ASes of the speakers.
struct BenchTopology {
  std::string daemon_namespace;
  Family family = Family::ipv4;  // of the sessions and of the routes
  IpAddress daemon_towards_blaster;
  std::vector<IpAddress> blasters;  // one upstream session each, on one link
  IpAddress daemon_towards_sink, sink;
  uint32_t daemon_as = 65000, blaster_as = 65001, sink_as = 65002;
  std::string daemon_router_id = "10.255.0.1";
  int hold_time = 90;
};

class DaemonUnderTest {
public:
  virtual ~DaemonUnderTest() = default;
  virtual DaemonKind kind() const = 0;
  // Writes the configuration, starts the process(es) and waits until it
  // answers on its control interface.
  virtual bool start(std::string& error) = 0;
  virtual void stop() = 0;
  virtual bool running() = 0;
  virtual std::vector<pid_t> pids() const = 0;
  virtual std::string log_tail() const = 0;
};

std::unique_ptr<DaemonUnderTest> make_daemon(DaemonKind kind, const BenchTopology& topology,
                                             std::filesystem::path dir, std::string halinkd_binary);

// Summed over `pids`: VmHWM (peak resident set) in bytes, and utime + stime
// in seconds.
struct ProcessUsage {
  uint64_t peak_rss_bytes = 0;
  double cpu_seconds = 0;
};
ProcessUsage usage_of(const std::vector<pid_t>& pids);

}  // namespace halink::bench
