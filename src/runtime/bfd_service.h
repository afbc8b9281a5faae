// BFD on its own thread (ARCHITECTURE.md "Liveness never waits for route
// processing"): its own EventLoop, its own UDP sockets, the sans-IO
// bfd::Sessions, and a real random source for transmit jitter.
//
// Threads: the owner (the BGP loop) calls set_peers(), snapshot() and
// stop(); each is posted to the BFD loop. State changes travel the other way
// only through EventLoop::post() onto the owner's loop, so the BFD thread
// never waits for the BGP thread, however busy it is.
//
// Sockets (RFC 5881, RFC 5883): one listener per family on 3784 (single hop)
// and 4784 (multihop); one sending socket per session with its own source
// port in 49152..65535, TTL / Hop Limit 255, bound to the session's local
// address and, for single hop, to its interface (SO_BINDTODEVICE).
#pragma once

#include <functional>
#include <future>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "bfd/sessions.h"
#include "runtime/bfd_socket.h"
#include "runtime/event_loop.h"

namespace halink::runtime {

// One BFD session as the owner wants it; `name` (the neighbour's) is the key.
struct BfdPeerConfig {
  std::string name;
  IpAddress peer;
  // Unset: asked from the kernel (the source address of the route to the peer).
  std::optional<IpAddress> local_address;
  // Single hop: the interface towards the peer. Unset: the interface that
  // holds the local address.
  std::string interface;
  bool multihop = false;
  Duration interval = Duration::milliseconds(300);  // Desired Min TX and Required Min RX
  uint8_t multiplier = 3;
  bfd::AuthConfig auth;
  bool operator==(const BfdPeerConfig&) const = default;
};

// A state change, delivered on the owner's loop.
struct BfdEvent {
  std::string name;
  IpAddress peer;
  bfd::State old_state = bfd::State::down;
  bfd::State new_state = bfd::State::down;
  bfd::Diag diag = bfd::Diag::none;
  // RFC 5882 §3.2: Down because the peer said AdminDown is not a path
  // failure; a client must not take its session down for it.
  bool peer_admin_down = false;
  std::string text;  // bfd::to_string(StateChange)

  bool went_up() const { return new_state == bfd::State::up; }
  bool went_down() const { return old_state == bfd::State::up && new_state != bfd::State::up; }
};

struct BfdSessionStatus {
  std::string name;
  bfd::SessionInfo info;
  uint16_t source_port = 0;
};

// `halink show bfd` JSON for one session; `now` gives the up-time.
nlohmann::json to_json(const BfdSessionStatus& status, Time now);

struct BfdServiceOptions {
  // Runs first on the BFD thread, before any socket is opened (tests use it
  // to enter a network namespace); false aborts start().
  std::function<bool()> prepare_thread;
  // Fixed seed for the jitter PRNG; unset: std::random_device.
  std::optional<uint64_t> seed;
  // A session whose socket cannot be opened yet (its tunnel interface or
  // address does not exist) is tried again this often.
  Duration retry_interval = Duration::seconds(5);
};

class BfdService {
public:
  using EventHandler = std::function<void(const BfdEvent&)>;

  // `on_event` runs on `owner`'s loop.
  BfdService(EventLoop& owner, EventHandler on_event, BfdServiceOptions options = {});
  ~BfdService();  // stop()s
  BfdService(const BfdService&) = delete;
  BfdService& operator=(const BfdService&) = delete;

  // Starts the thread and opens the listeners there; fails when no listener
  // could be opened (e.g. port 3784 taken by another BFD daemon).
  Status start();
  // Sessions tell their peers AdminDown (RFC 5880 §6.8.16), then the thread ends.
  void stop();

  // The complete wanted set: sessions not named are removed (AdminDown
  // first), new names added, changed ones reconfigured (timers and auth with
  // a Poll Sequence, RFC 5880 §6.8.3) or re-created when the peer, local
  // address, interface or multihop changed. Errors are logged per session.
  void set_peers(std::vector<BfdPeerConfig> peers);

  // Waits (at most a second) for the BFD thread's answer.
  std::vector<BfdSessionStatus> snapshot();
  // BFD's clock (monotonic, the same as every EventLoop's).
  Time now() const { return loop_.now(); }

private:
  struct Active {
    BfdPeerConfig config;  // as given
    uint32_t discriminator = 0;
  };
  struct Endpoint {  // per session, active or retiring
    std::string name;
    int fd = -1;
    uint16_t source_port = 0;
    sockaddr_storage to{};
    socklen_t to_length = 0;
    EventLoop::TimerId retire_timer = 0;  // nonzero: going away after AdminDown
  };

  void thread_main(std::promise<Status>* started);
  Status open_listeners();
  void on_readable(int fd, bool multihop);
  void apply(std::vector<BfdPeerConfig> peers);
  enum class AddResult { started, refused, retry_later };
  // `quiet`: a retry, which logs only success.
  AddResult add(const BfdPeerConfig& config, bool quiet);
  void retry_waiting();
  void retire(uint32_t discriminator);
  void finish_retiring(uint32_t discriminator);
  uint32_t new_discriminator();
  std::string interface_name(unsigned index);
  void drain();  // sends packets, delivers state changes, re-arms the timer

  EventLoop& owner_;
  EventHandler on_event_;
  BfdServiceOptions options_;
  EventLoop loop_;
  std::thread thread_;
  bool running_ = false;
  bool stopping_ = false;  // BFD thread: AdminDown at exit is not news for the owner

  // Everything below is touched on the BFD thread only.
  std::mt19937_64 random_engine_;
  bfd::Sessions sessions_;
  DeadlineTimer timer_;
  std::vector<int> listeners_;
  std::map<std::string, Active> active_;
  std::map<std::string, BfdPeerConfig> waiting_;  // wanted, socket not open yet
  EventLoop::TimerId retry_timer_ = 0;
  std::unordered_map<uint32_t, Endpoint> endpoints_;
  // Single-hop peers whose interface is unknown: their packets are matched
  // without one (RFC 5881 §3 then rests on the TTL check alone).
  std::map<IpAddress, int> unbound_single_hop_peers_;
  std::unordered_map<unsigned, std::string> interface_names_;
  std::vector<bfd::Action> actions_;
  uint16_t next_port_hint_ = 49152;
};

}  // namespace halink::runtime
