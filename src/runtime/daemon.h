// halinkd's body: one router's speaker on real sockets, its routes in the
// kernel, a control socket, reload on SIGHUP, clean exit on SIGTERM/SIGINT.
#pragma once

#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>

#include "bgp/speaker/speaker.h"
#include "config/topology.h"
#include "fib/route.h"
#include "runtime/bfd_service.h"
#include "runtime/bgp_transport.h"
#include "runtime/control_commands.h"
#include "runtime/control_socket.h"
#include "runtime/event_loop.h"
#include "runtime/link_monitor.h"

namespace halink::runtime {

struct DaemonOptions {
  std::string config_path;
  std::string node;          // router name in a topology file; empty for a section-only file
  std::string control_path;  // overrides the configuration's control_socket
  bool install_routes = true;  // false (--no-fib): compute and export routes, install nothing, not even in memory
};

class Daemon {
public:
  static Result<std::unique_ptr<Daemon>> create(DaemonOptions options);
  ~Daemon();

  // Runs until SIGTERM/SIGINT or stop(); returns the process exit code.
  int run();
  void stop() { loop_.stop(); }

  // The control-socket request handler (public for tests).
  nlohmann::json handle(const nlohmann::json& request);
  // SIGHUP / `halink reload`: the new configuration or why it was refused.
  Status reload();

private:
  explicit Daemon(DaemonOptions options, config::RouterConfig config);
  Status start();
  void pump();  // handles everything the speaker asked for
  // Route work in slices (ARCHITECTURE.md "Liveness never waits for route
  // processing"): one slice per loop iteration, sockets, timers and BFD
  // events served in between.
  void schedule_route_work();
  void process_route_slice();
  // A FIB write the kernel refused: logged, the desired state kept, retried
  // after 1 s, 2 s, 4 s ... up to 60 s until it is in (fib/route.h retry_failed()).
  void fib_failed(const std::string& what, const Status& status);
  void retry_fib();
  void add_neighbor(const config::Neighbor& n);
  void remove_neighbor(const std::string& name);
  PeerTransport transport_for(const config::Neighbor& n) const;
  Status setup_signals();
  // BFD (issue 5): sessions for neighbours with `bfd:`, on BfdService's thread.
  std::vector<BfdPeerConfig> bfd_peers() const;
  void apply_bfd();
  void on_bfd_event(const BfdEvent& event);

  DaemonOptions options_;
  config::RouterConfig config_;
  EventLoop loop_;
  std::mt19937_64 random_engine_;
  std::unique_ptr<bgp::Speaker> speaker_;
  std::unique_ptr<fib::Fib> fib_;
  std::unique_ptr<BgpTransport> transport_;
  std::unique_ptr<ControlCommands> commands_;
  std::unique_ptr<ControlServer> control_;
  std::unique_ptr<LinkMonitor> links_;
  DeadlineTimer speaker_timer_;
  DeadlineTimer fib_retry_timer_;
  Duration fib_retry_delay_ = Duration::seconds(1);
  bool fib_retry_timer_armed_ = false;
  // Declared after loop_: destroyed (its thread joined) before the loop it posts to.
  std::unique_ptr<BfdService> bfd_;
  // Neighbours whose BFD session went Down and did not come Up again: a
  // neighbour re-created by a reload inherits the hold-down.
  std::set<std::string> bfd_path_down_;
  std::map<std::string, bgp::PeerId> peer_ids_;
  int signal_fd_ = -1;
  Time started_at_;
  bool pumping_ = false;
  bool route_work_posted_ = false;
  size_t route_slice_ = 4096;  // prefixes per slice, adapted (daemon.cpp)
};

}  // namespace halink::runtime
