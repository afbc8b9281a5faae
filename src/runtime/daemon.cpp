#include "runtime/daemon.h"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "bgp/speaker/from_config.h"
#include "config/diff.h"
#include "config/loader.h"
#include "fib/memory_fib.h"
#include "fib/netlink_fib.h"
#include "runtime/bfd_socket.h"
#include "runtime/log.h"

namespace halink::runtime {

namespace {

Result<std::string> read_secret(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{"cannot read password file " + path};
  std::string key;
  std::getline(in, key);
  return key;
}

// A BFD key file holds the key itself (1..20 octets, RFC 5880 §4.4); one
// trailing newline, as editors write it, is not part of the key.
Result<std::vector<uint8_t>> read_bfd_key(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"cannot read BFD key file " + path};
  std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!key.empty() && key.back() == '\n') key.pop_back();
  if (!key.empty() && key.back() == '\r') key.pop_back();
  return std::vector<uint8_t>(key.begin(), key.end());
}

bfd::AuthType bfd_auth_type(config::BfdAuthType t) {
  switch (t) {
    case config::BfdAuthType::simple_password: return bfd::AuthType::simple_password;
    case config::BfdAuthType::keyed_md5: return bfd::AuthType::keyed_md5;
    case config::BfdAuthType::meticulous_keyed_md5: return bfd::AuthType::meticulous_keyed_md5;
    case config::BfdAuthType::keyed_sha1: return bfd::AuthType::keyed_sha1;
    case config::BfdAuthType::meticulous_keyed_sha1: return bfd::AuthType::meticulous_keyed_sha1;
  }
  return bfd::AuthType::none;
}

// Prefixes per route-processing slice, adapted to the machine: a slice aims
// at about 10 ms of wall time (halved when one took longer, doubled when one
// took under half of it), between 256 and 4096 prefixes (about four full
// 4096-octet UPDATEs of /24s). A fixed count is not enough: on a loaded
// 2-core machine, or a debug build, 4096 prefixes took over a second, and
// a slice is what the keepalive and hold timers wait behind. Each slice is
// one flush (one netlink batch, one round of UPDATEs to the other
// neighbours), which is why slices are not made smaller than needed.
constexpr size_t min_route_slice = 256;
constexpr size_t max_route_slice = 4096;
constexpr Duration route_slice_target = Duration::milliseconds(10);

}  // namespace

Daemon::Daemon(DaemonOptions options, config::RouterConfig config)
    : options_(std::move(options)),
      config_(std::move(config)),
      random_engine_(std::random_device{}()),
      speaker_timer_(loop_, [this] {
        if (transport_) transport_->read_paused_once();
        speaker_->on_timer(loop_.now());
        pump();
      }),
      fib_retry_timer_(loop_, [this] { retry_fib(); }) {}

Daemon::~Daemon() {
  if (signal_fd_ >= 0) {
    loop_.unwatch(signal_fd_);
    close(signal_fd_);
  }
}

Result<std::unique_ptr<Daemon>> Daemon::create(DaemonOptions options) {
  auto config = config::load_router(options.config_path, options.node);
  if (!config) return config.error();
  std::unique_ptr<Daemon> d(new Daemon(std::move(options), std::move(*config)));
  if (auto s = d->start(); !s) return s.error();
  return d;
}

Status Daemon::start() {
  set_log_identity(config_.name);
  started_at_ = loop_.now();
  auto random = [this] { return std::uniform_real_distribution<double>(0.0, 1.0)(random_engine_); };
  bgp::SpeakerConfig speaker_config = bgp::speaker_config_from(config_);
  // --no-fib: no forwarding table at all (the in-memory one stays empty), so
  // no next-hop planning per prefix either.
  speaker_config.forwarding = options_.install_routes;
  speaker_ = std::make_unique<bgp::Speaker>(std::move(speaker_config), random);

  if (options_.install_routes && config_.fib.install) {
    fib::NetlinkFibOptions fib_options;
    fib_options.table = config_.fib.table;
    fib_options.keep_routes_on_exit = config_.fib.keep_on_exit;
    auto fib = fib::NetlinkFib::open(fib_options);
    if (!fib) return Error{"kernel FIB: " + fib.message()};
    const auto& cleanup = (*fib)->startup_cleanup();
    if (cleanup.routes_removed || cleanup.next_hops_removed)
      log_info("removed " + std::to_string(cleanup.routes_removed) + " stale routes and " +
               std::to_string(cleanup.next_hops_removed) + " nexthop objects of an earlier run");
    if (!cleanup.nexthop_objects) log_warning("kernel nexthop objects unavailable: " + cleanup.fallback_reason);
    fib_ = std::move(*fib);
  } else {
    fib_ = std::make_unique<fib::MemoryFib>();
  }

  transport_ = std::make_unique<BgpTransport>(loop_, *speaker_, [this] { pump(); });
  for (const config::Neighbor& n : config_.neighbors) add_neighbor(n);
  if (auto s = transport_->listen(config_.listen.addresses, config_.listen.port); !s)
    return Error{"BGP listener: " + s.message()};

  commands_ = std::make_unique<ControlCommands>(ControlContext{
      .loop = loop_,
      .speaker = *speaker_,
      .fib = *fib_,
      .config = config_,
      .peer_ids = peer_ids_,
      .bfd = bfd_,
      .started_at = started_at_,
      .reload = [this] { return reload(); },
      .pump = [this] { pump(); },
  });
  control_ = std::make_unique<ControlServer>(loop_, [this](const nlohmann::json& r) { return handle(r); });
  std::string control_path = options_.control_path.empty() ? config_.control_socket : options_.control_path;
  if (auto s = control_->listen(control_path); !s) return s;

  links_ = std::make_unique<LinkMonitor>(loop_, [this](const LinkState& link) {
    if (link.up)
      speaker_->interface_up(loop_.now(), link.name);
    else
      speaker_->interface_down(loop_.now(), link.name);
    pump();
  });
  if (auto s = links_->start(); !s) log_warning("link monitor: " + s.message() + " (no fast external fall-over)");

  if (auto s = setup_signals(); !s) return s;
  speaker_->start(loop_.now());
  pump();
  apply_bfd();
  log_info("started: AS " + std::to_string(config_.local_as) + ", router id " + config_.router_id.to_string() + ", " +
           std::to_string(config_.neighbors.size()) + " neighbours, control socket " + control_path);
  return {};
}

PeerTransport Daemon::transport_for(const config::Neighbor& n) const {
  PeerTransport t;
  t.remote = Endpoint{n.address, n.port, n.interface};
  if (n.ebgp_multihop) t.options.ttl = *n.ebgp_multihop;
  if (!n.is_ebgp(config_.local_as)) t.options.ttl = 255;  // iBGP is multihop by nature
  if (n.ttl_security) t.options.gtsm_hops = n.ebgp_multihop.value_or(1);
  if (!n.password_file.empty()) {
    if (auto key = read_secret(n.password_file))
      t.options.md5_key = *key;
    else
      log_error("neighbour " + n.name + ": " + key.message());
  }
  t.options.source = n.update_source;
  return t;
}

void Daemon::add_neighbor(const config::Neighbor& n) {
  bgp::NeighborSettings settings = bgp::neighbor_settings_from(config_, n);
  // Kernel next hops need a device: without `interface:` use the one the
  // kernel would send to the peer through now (directly connected eBGP).
  if (settings.interface.empty())
    if (auto local = local_address_towards(n.address, {}); local.ok())
      settings.interface = interface_with_address(*local);
  bgp::PeerId id = speaker_->add_neighbor(loop_.now(), std::move(settings));
  peer_ids_[n.name] = id;
  transport_->set_peer(id, transport_for(n));
}

void Daemon::remove_neighbor(const std::string& name) {
  auto it = peer_ids_.find(name);
  if (it == peer_ids_.end()) return;
  speaker_->remove_neighbor(loop_.now(), it->second);
  pump();
  transport_->remove_peer(it->second);
  peer_ids_.erase(it);
}

void Daemon::pump() {
  if (pumping_) return;  // actions handled below may call back into the speaker
  pumping_ = true;
  while (true) {
    std::vector<bgp::SpeakerAction> actions = speaker_->take_actions();
    if (actions.empty()) break;
    for (bgp::SpeakerAction& action : actions) {
      std::visit(
          [&](auto& a) {
            using A = std::decay_t<decltype(a)>;
            auto name = [&](bgp::PeerId p) {
              const bgp::NeighborSettings* s = speaker_->settings(p);
              return s ? "neighbor " + s->name + " (" + s->address.to_string() + ")" : std::string("neighbor ?");
            };
            if constexpr (std::is_same_v<A, bgp::speaker::SendBytes>) {
              transport_->send(a.peer, a.connection, std::move(a.bytes));
            } else if constexpr (std::is_same_v<A, bgp::speaker::Connect>) {
              transport_->connect(a.peer, a.connection);
            } else if constexpr (std::is_same_v<A, bgp::speaker::Close>) {
              transport_->close(a.peer, a.connection);
            } else if constexpr (std::is_same_v<A, bgp::speaker::PeerUp>) {
              log_info(name(a.peer) + " Established: " + a.text);
            } else if constexpr (std::is_same_v<A, bgp::speaker::PeerDown>) {
              log_warning(name(a.peer) + " down: " + a.text);
            } else if constexpr (std::is_same_v<A, bgp::speaker::NextHopDown>) {
              if (auto s = fib_->remove_next_hop(a.next_hop); !s) fib_failed("removing next hop", s);
            } else if constexpr (std::is_same_v<A, bgp::speaker::RouteChanges>) {
              if (auto s = fib_->apply(a.changes); !s) fib_failed("installing routes", s);
            } else if constexpr (std::is_same_v<A, bgp::speaker::Log>) {
              std::string who = a.peer ? name(a.peer) + ": " : "";
              LogLevel level = a.level == bgp::speaker::LogLevel::error     ? LogLevel::error
                               : a.level == bgp::speaker::LogLevel::warning ? LogLevel::warning
                                                                            : LogLevel::info;
              // A peer can repeat the same complaint (malformed UPDATEs) without end.
              log_limited(level, who + a.text, who + a.text);
            }
          },
          action);
    }
  }
  pumping_ = false;
  speaker_timer_.arm(speaker_->next_deadline());
  schedule_route_work();
}

void Daemon::fib_failed(const std::string& what, const Status& status) {
  log_limited(LogLevel::error, "FIB " + what, "FIB " + what + ": " + status.message() + " (kept; retrying in " +
                                                 std::to_string(fib_retry_delay_.ms()) + " ms)");
  if (!fib_retry_timer_armed_) {
    fib_retry_timer_armed_ = true;
    fib_retry_timer_.arm(loop_.now() + fib_retry_delay_);
  }
}

void Daemon::retry_fib() {
  fib_retry_timer_armed_ = false;
  Status s = fib_->retry_failed();
  if (s) {
    log_info("FIB: every refused write is now installed");
    fib_retry_delay_ = Duration::seconds(1);
    return;
  }
  fib_retry_delay_ = std::min(fib_retry_delay_ + fib_retry_delay_, Duration::seconds(60));
  fib_failed("retry", s);
}

void Daemon::schedule_route_work() {
  if (route_work_posted_ || !speaker_->has_pending()) return;
  route_work_posted_ = true;
  // post() runs it on the next loop iteration, after epoll has handed out
  // whatever became ready (keepalive timer, BFD event, another peer's bytes).
  loop_.post([this] { process_route_slice(); });
}

void Daemon::process_route_slice() {
  route_work_posted_ = false;
  Time started = loop_.now();
  speaker_->process_pending(started, route_slice_);
  pump();  // FIB writes and UPDATEs of this slice; posts the next slice if any
  Duration took = loop_.now() - started;
  if (took > route_slice_target)
    route_slice_ = std::max(min_route_slice, route_slice_ / 2);
  else if (took + took < route_slice_target)
    route_slice_ = std::min(max_route_slice, route_slice_ * 2);
  transport_->resume_reading();
}

Status Daemon::setup_signals() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGHUP);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  signal_fd_ = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd_ < 0) return Error{"signalfd failed"};
  loop_.watch(signal_fd_, EPOLLIN, [this](uint32_t) {
    signalfd_siginfo info;
    while (read(signal_fd_, &info, sizeof info) == sizeof info) {
      if (info.ssi_signo == SIGHUP) {
        if (auto s = reload(); !s) log_error("reload refused, running configuration kept: " + s.message());
      } else if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) {
        log_info("stopping (signal " + std::to_string(info.ssi_signo) + ")");
        loop_.stop();
      }
    }
  });
  return {};
}

int Daemon::run() {
  loop_.run();
  // Tell every peer why we leave (RFC 9003), then let the FIB withdraw our routes.
  for (auto& [name, id] : peer_ids_) speaker_->shutdown_neighbor(loop_.now(), id, "halinkd stopping");
  pump();
  if (bfd_) bfd_->stop();  // AdminDown to every BFD peer (RFC 5880 §6.8.16)
  return 0;
}

Status Daemon::reload() {
  auto fresh = config::load_router(options_.config_path, options_.node);
  if (!fresh) return fresh.error();
  config::RouterDiff diff = config::diff_router(config_, *fresh);
  if (diff.identity_changed || diff.listen_changed || diff.fib_changed || diff.control_socket_changed ||
      diff.ecmp_changed)
    return Error{"local_as, router_id, listen, fib, ecmp or control_socket changed: restart halinkd to apply"};
  if (diff.empty()) {
    log_info("reload: no change");
    return {};
  }
  config_ = std::move(*fresh);
  for (const std::string& line : diff.describe()) log_info("reload: " + line);
  for (const config::NeighborChange& change : diff.neighbors) {
    const config::Neighbor* now = config_.find_neighbor(change.name);
    switch (change.kind) {
      case config::NeighborChangeKind::unchanged:
        break;
      case config::NeighborChangeKind::removed:
        remove_neighbor(change.name);
        break;
      case config::NeighborChangeKind::added:
        add_neighbor(*now);
        speaker_->enable_neighbor(loop_.now(), peer_ids_[now->name]);
        break;
      case config::NeighborChangeKind::changed: {
        if (change.reset_session) {
          remove_neighbor(change.name);
          add_neighbor(*now);
          speaker_->enable_neighbor(loop_.now(), peer_ids_[now->name]);
          break;
        }
        bgp::PeerId id = peer_ids_[change.name];
        if (change.reevaluate_import || change.reevaluate_export) speaker_->update_policy(loop_.now(), id, now->policy);
        if (change.reevaluate_export) speaker_->set_next_hop_self(loop_.now(), id, now->next_hop_self);
        if (change.live_changed)
          speaker_->update_session_settings(loop_.now(), id, bgp::neighbor_settings_from(config_, *now).session);
        if (change.shutdown_changed) {
          if (now->shutdown)
            speaker_->shutdown_neighbor(loop_.now(), id, "shut down by configuration");
          else
            speaker_->enable_neighbor(loop_.now(), id);
        }
        break;
      }
    }
  }
  if (diff.networks_changed) speaker_->set_networks(loop_.now(), config_.networks);
  // BFD follows the new configuration: sessions added, removed, reconfigured
  // with a Poll Sequence. A neighbour without BFD now is no longer held down
  // by it; one re-created by the reload inherits a hold-down still in force.
  for (const config::NeighborChange& change : diff.neighbors) {
    const config::Neighbor* now = config_.find_neighbor(change.name);
    if (!now || !now->bfd) {
      if (bfd_path_down_.erase(change.name) && now) speaker_->bfd_up(loop_.now(), peer_ids_[change.name]);
      continue;
    }
    bool recreated = change.kind == config::NeighborChangeKind::added ||
                     (change.kind == config::NeighborChangeKind::changed && change.reset_session);
    if (recreated && bfd_path_down_.count(change.name))
      speaker_->bfd_down(loop_.now(), peer_ids_[change.name], "still down across the reload");
  }
  apply_bfd();
  pump();
  return {};
}

nlohmann::json Daemon::handle(const nlohmann::json& request) { return commands_->handle(request); }

// ---------------------------------------------------------------- BFD

std::vector<BfdPeerConfig> Daemon::bfd_peers() const {
  std::vector<BfdPeerConfig> peers;
  for (const config::Neighbor& n : config_.neighbors) {
    if (!n.bfd) continue;
    BfdPeerConfig p;
    p.name = n.name;
    p.peer = n.address;
    // The BGP session's source when configured; otherwise BfdService asks the
    // kernel for the source address of the route to the peer, the one the
    // BGP connection uses too, so both ends see the same address pair.
    p.local_address = n.update_source;
    p.interface = n.interface;
    p.multihop = n.bfd->multihop;
    p.interval = n.bfd->interval;
    p.multiplier = n.bfd->multiplier;
    if (n.bfd->auth) {
      auto key = read_bfd_key(n.bfd->auth->key_file);
      if (!key) {
        // RFC 5880 §6.7: never run a session meant to be authenticated without its key.
        log_error("neighbour " + n.name + ": BFD not started: " + key.message());
        continue;
      }
      p.auth.type = bfd_auth_type(n.bfd->auth->type);
      p.auth.key_id = n.bfd->auth->key_id;
      p.auth.key = std::move(*key);
      if (auto s = bfd::validate_auth(p.auth); !s) {
        log_error("neighbour " + n.name + ": BFD not started: " + s.message());
        continue;
      }
    }
    peers.push_back(std::move(p));
  }
  return peers;
}

void Daemon::apply_bfd() {
  std::vector<BfdPeerConfig> peers = bfd_peers();
  if (!bfd_) {
    if (peers.empty()) return;
    auto service = std::make_unique<BfdService>(loop_, [this](const BfdEvent& e) { on_bfd_event(e); });
    if (auto s = service->start(); !s) {
      log_error(s.message() + " (BFD sessions not started)");
      return;
    }
    bfd_ = std::move(service);
  }
  bfd_->set_peers(std::move(peers));
}

void Daemon::on_bfd_event(const BfdEvent& event) {
  auto it = peer_ids_.find(event.name);
  const config::Neighbor* n = config_.find_neighbor(event.name);
  if (it == peer_ids_.end() || !n || !n->bfd) return;  // removed since the event was posted
  Time now = loop_.now();
  if (n->bfd->log_only) {
    if (event.went_up() || event.went_down())
      log_warning("neighbor " + event.name + ": BFD " + (event.went_up() ? "Up" : "Down (diag " +
                  bfd::diag_name(event.diag) + ")") + "; log_only: BGP session left alone");
    return;
  }
  if (event.went_up()) {
    bfd_path_down_.erase(event.name);
    speaker_->bfd_up(now, it->second);
  } else if (event.went_down()) {
    if (event.peer_admin_down) {
      // RFC 5882 §3.2: the peer stopped BFD on purpose; that says nothing about the path.
      log_info("neighbor " + event.name + ": peer set BFD AdminDown; BGP session kept");
      return;
    }
    bfd_path_down_.insert(event.name);
    // The session prefixes "BFD down: ".
    speaker_->bfd_down(now, it->second, "diag " + bfd::diag_name(event.diag));
  } else {
    return;
  }
  pump();
}

}  // namespace halink::runtime
