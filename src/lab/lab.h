// A topology built on real processes: `halink lab up` and `down`.
//
// Lab::up() carries out a LabPlan (plan.h): namespaces, bridges, veth links
// shaped with tc tbf, sysctls, WireGuard tunnels (wireguard-go + wg), host
// routes and one routing daemon per router. Every namespace and process is
// recorded in the state file (state.h) the moment it exists, so teardown()
// — from `lab down`, a failed `up`, or Ctrl-C — removes all of it: processes
// first (by PID, SIGTERM then SIGKILL), then the namespaces with every link
// in them.
//
// Failure injection (failures.h) works through the operations below, which
// are also what a restore uses to put things back exactly as `up` made them.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "config/topology.h"
#include "core/result.h"
#include "lab/command.h"
#include "lab/plan.h"
#include "lab/state.h"

namespace halink::lab {

struct LabOptions {
  std::string halinkd_path;  // empty: "halinkd" next to the running program
  bool start_daemons = true;
  // Refuse to start when a state file or namespace of this lab exists
  // (false: take the old one down first).
  bool fail_if_running = false;
};

// The routing daemon's binary: next to the running program, else on PATH.
std::string default_halinkd_path();

// Every `daemon: bird | frr` router's configuration can be generated and its
// binaries are installed (checked by up() before anything is built).
Status check_lab_daemons(const config::Topology& topology, const LabPlan& plan);

class Lab {
public:
  // Builds the lab; on any failure (or interrupt) removes what it made and
  // returns the first error.
  static Result<std::unique_ptr<Lab>> up(const std::string& topology_path, const LabOptions& options);
  // Removes a lab from its state file, plus any namespace named after it
  // (left by a run whose state was lost). Errors are collected, not fatal:
  // everything that can be removed is.
  static Status down(const std::string& lab);

  ~Lab();  // does not tear down: call teardown() (a lab from `up` outlives the command)
  Lab(const Lab&) = delete;
  Lab& operator=(const Lab&) = delete;

  Status teardown();

  const config::Topology& topology() const { return topology_; }
  const LabPlan& plan() const { return plan_; }
  const LabState& state() const { return state_; }
  const std::string& name() const { return plan_.lab; }
  std::string directory() const { return lab_directory(plan_.lab); }

  // `ip netns exec NS argv...`, failures naming the command and its stderr.
  Result<std::string> run_in(const std::string& namespace_name, const Argv& argv) const;

  // A process inside a namespace, recorded in the state file; its output
  // goes to log_file(name) (stdout to `stdout_path` when given).
  Result<ProcessId> start_process(const std::string& role, const std::string& node, const std::string& name,
                                  const std::string& namespace_name, const Argv& argv,
                                  const std::string& stdout_path = "");
  // SIGKILL when `crash`, else SIGTERM and up to `grace_ms` before SIGKILL.
  void stop_recorded_process(const std::string& role, const std::string& name, bool crash, int grace_ms = 1000);

  // The routing daemon of `router`: halinkd, or BIRD or FRR (zebra, bfdd,
  // bgpd) from a configuration generated from its section
  // (daemon_config.h), written to daemon_directory(router). Returns when
  // the daemon answers on its control interface.
  Status start_daemon(const std::string& router);
  // Every process of the router's daemon, newest first (a crash: SIGKILL).
  void stop_daemon(const std::string& router, bool crash);
  std::string control_socket(const std::string& router) const;  // halinkd's
  std::string daemon_directory(const std::string& router) const;  // BIRD's or FRR's files
  std::string log_file(const std::string& name) const;

  // One end of a tunnel (0 or 1): wireguard-go started, its interface
  // renamed to the file's name, keyed, addressed and up.
  Status start_tunnel_end(const TunnelPlan& tunnel, size_t end);
  void crash_tunnel_end(const TunnelPlan& tunnel, size_t end);
  // The peer key `wg` gives this end: the right one, or a fresh wrong one.
  Status set_peer_key(const TunnelPlan& tunnel, size_t end, bool correct);

  // A scenario's `change:` step: halinkd reads the topology through a
  // link in the lab's folder, which now points at `path`; the routers named
  // are told to reload (`halink reload`).
  Status change_topology(const std::string& path, const config::Topology& topology,
                         const std::vector<std::string>& routers);

  // Every interface in a router's namespace (lan0, underlays, tunnels).
  std::vector<std::string> router_interfaces(const std::string& router) const;
  Status set_link(const std::string& namespace_name, const std::string& interface, bool up) const;

private:
  Lab(config::Topology topology, LabPlan plan, LabOptions options);
  Status build();
  Status record();
  Status create_namespaces();
  Status create_links();
  Status create_tunnels();
  Status add_routes();
  Status start_bird(const config::RouterConfig& router, const std::string& namespace_name);
  Status start_frr(const config::RouterConfig& router, const std::string& namespace_name);
  Result<std::string> public_key_of(const std::string& instance);
  std::string key_file(const std::string& instance) const;

  config::Topology topology_;
  LabPlan plan_;
  LabOptions options_;
  LabState state_;
  std::map<std::string, std::string> public_keys_;  // instance → its public key
};

}  // namespace halink::lab
