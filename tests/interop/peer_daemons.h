// Support for the interop tests: real BGP daemons (BIRD 2, FRR, GoBGP) and
// halinkd, each started inside a network namespace from a generated
// configuration, queried through its own CLI and stopped by PID. Everything a
// test starts is stopped and removed by destructors, also when it fails.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../support/kernel_routes.h"
#include "../support/process.h"

namespace halink::interop {

using namespace std::chrono_literals;

// Process, scratch-folder and shell helpers live in tests/support/process.h.
using testing::CommandResult;
using testing::in_namespace;
using testing::is_executable;
using testing::Process;
using testing::run_command;
using testing::run_in;
using testing::ScratchDir;
using testing::shell_quoted;
using testing::tail_of;
using testing::wait_until;
using testing::write_file;

// ---------------------------------------------------------------- peers

enum class PeerKind { bird, frr, gobgp };
const char* peer_kind_name(PeerKind kind);
// GoBGP has no BFD.
bool peer_supports_bfd(PeerKind kind);
// Empty when every binary the kind needs is installed, else what is missing.
std::string missing_binaries(PeerKind kind);

// One peer router facing halinkd over a point-to-point link.
struct PeerSpec {
  std::string name;            // "p1"; names files and the BIRD protocol
  std::string namespace_name;  // where it runs
  uint32_t local_as = 0;
  std::string router_id;
  std::string local_address;    // its end of the link
  std::string halinkd_address;  // halinkd's end
  uint32_t halinkd_as = 0;
  // IPv6 session beside the IPv4 one when both are set.
  std::string local_address6;
  std::string halinkd_address6;
  std::vector<std::string> networks;  // prefixes it originates (IPv4 and IPv6)
  int hold_time = 9;
  int keepalive = 3;
  // BFD on the IPv4 session (RFC 5880/5881) with this interval both ways
  // and Detect Mult 3; 0: no BFD.
  int bfd_interval_ms = 0;
  std::string interface = "veth-h";  // its end of the link
  // TCP-MD5 (RFC 2385) key of the IPv4 session; empty: none.
  std::string md5_password;
  // GTSM (RFC 5082) on the IPv4 session: send TTL 255, accept only 255.
  bool ttl_security = false;
};

class PeerDaemon {
public:
  virtual ~PeerDaemon() = default;
  virtual PeerKind kind() const = 0;
  // Writes the configuration and starts the daemon(s); false with `error` set
  // when it did not come up (its control interface answering).
  virtual bool start(std::string& error) = 0;
  virtual void stop() = 0;
  virtual bool running() = 0;
  // Every session with halinkd is Established, as the peer sees it.
  virtual bool established() = 0;
  // The peer has `prefix` from halinkd in its BGP table.
  virtual bool has_route_from_halinkd(const std::string& prefix) = 0;
  // The peer's BFD session with halinkd is Up.
  virtual bool bfd_up() = 0;
  // The AS_PATH of that route as the peer shows it (empty if none).
  virtual std::vector<uint32_t> as_path_from_halinkd(const std::string& prefix) = 0;
  // The RFC 9003 Shutdown Communication of the last Cease / Administrative
  // Shutdown the peer received, as the peer shows it ("" if none).
  virtual std::string received_shutdown_message() = 0;
  // State and log tail, for failure messages.
  virtual std::string diagnostics() = 0;
};

// `dir` must exist and be world-writable (ScratchDir::subdir).
std::unique_ptr<PeerDaemon> make_peer(PeerKind kind, PeerSpec spec, std::filesystem::path dir);

// ---------------------------------------------------------------- halinkd

// halinkd in a namespace, and the halink CLI talking to its control socket.
class Halinkd {
public:
  Halinkd(std::string namespace_name, std::filesystem::path dir);
  ~Halinkd() { stop(); }

  const std::filesystem::path& config_path() const { return config_; }
  const std::filesystem::path& socket_path() const { return socket_; }
  const std::filesystem::path& log_path() const { return log_; }
  // Writes the configuration file (its control_socket must be socket_path()).
  void write_config(const std::string& yaml) const;
  // Starts it and waits until the control socket answers.
  bool start(std::string& error);
  // SIGTERM and wait; returns the exit status.
  int stop();
  bool running() { return process_.running(); }
  bool signal(int signo) const { return process_.signal(signo); }

  // `halink -s SOCKET args`.
  CommandResult cli(const std::string& args) const;
  // `halink -s SOCKET show WHAT --json`; null when it failed.
  nlohmann::json show(const std::string& what) const;
  // The neighbour's entry in `show neighbors --json` (null if absent).
  nlohmann::json neighbor(const std::string& name) const;
  // The neighbour's session state as halinkd shows it ("" if unknown).
  std::string neighbor_state(const std::string& name) const;
  // The state of the neighbour's BFD session in `show bfd --json` ("" if none).
  std::string bfd_state(const std::string& name) const;
  // Sorted gateways of `prefix` in `show routes --json` (empty if absent).
  std::vector<std::string> route_next_hops(const std::string& prefix) const;
  std::string diagnostics() const;

private:
  std::string namespace_;
  std::filesystem::path dir_, config_, socket_, log_;
  Process process_;
};

// ---------------------------------------------------------------- kernel

// Routes and nexthop objects read back from the kernel: tests/support/kernel_routes.h.
using testing::IpFamily;
using testing::kernel_nexthop_count;
using testing::kernel_routes;

}  // namespace halink::interop
