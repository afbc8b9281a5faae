#include "runtime/bfd_service.h"

#include <net/if.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <array>

#include "bfd/transport.h"
#include "runtime/bfd_socket.h"
#include "runtime/log.h"

namespace halink::runtime {
namespace {

// RFC 5880 §6.8.16: a session being removed is held AdminDown long enough
// for the peer to notice (a detection time), bounded so a slow or
// never-heard peer does not keep a socket open for long.
constexpr Duration min_retire_hold = Duration::seconds(1);
constexpr Duration max_retire_hold = Duration::seconds(10);

// Large enough for any BFD Control packet (at most 24 + 28 octets) and for
// noise, which the codec then rejects by length.
constexpr size_t receive_buffer_size = 512;
// Datagrams handled per readiness event before the loop serves its timers.
constexpr int receive_batch = 64;

bool same_identity(const BfdPeerConfig& a, const BfdPeerConfig& b) {
  return a.peer == b.peer && a.local_address == b.local_address && a.interface == b.interface &&
         a.multihop == b.multihop;
}

double ms(Duration d) { return double(d.us()) / 1000.0; }

}  // namespace

nlohmann::json to_json(const BfdSessionStatus& status, Time now) {
  const bfd::SessionInfo& i = status.info;
  nlohmann::json j{{"name", status.name},
                   {"peer", i.peer.to_string()},
                   {"interface", i.interface},
                   {"multihop", i.multihop},
                   {"state", bfd::state_name(i.state)},
                   {"remote_state", bfd::state_name(i.remote_state)},
                   {"local_diag", bfd::diag_name(i.local_diag)},
                   {"remote_diag", bfd::diag_name(i.remote_diag)},
                   {"local_discriminator", i.local_discriminator},
                   {"remote_discriminator", i.remote_discriminator},
                   {"source_port", status.source_port},
                   {"detect_mult", i.detect_mult},
                   {"remote_detect_mult", i.remote_detect_mult},
                   {"desired_min_tx_ms", ms(i.desired_min_tx)},
                   {"required_min_rx_ms", ms(i.required_min_rx)},
                   {"remote_desired_min_tx_ms", ms(i.remote_desired_min_tx)},
                   {"remote_required_min_rx_ms", ms(i.remote_required_min_rx)},
                   {"tx_interval_ms", ms(i.transmit_interval)},
                   {"poll_in_progress", i.poll_in_progress},
                   {"auth", i.auth_type == bfd::AuthType::none ? "none" : bfd::auth_type_name(i.auth_type)},
                   {"since_seconds", (now - i.last_state_change).seconds_f()}};
  j["local_address"] = i.local_address ? i.local_address->to_string() : "";
  // The interval packets are expected at: detection time / remote Detect
  // Mult (RFC 5880 §6.8.4); unknown until the peer was heard.
  if (i.detection_time != Duration::infinite() && i.remote_detect_mult > 0) {
    j["rx_interval_ms"] = ms(i.detection_time / i.remote_detect_mult);
    j["detection_time_ms"] = ms(i.detection_time);
  } else {
    j["rx_interval_ms"] = nullptr;
    j["detection_time_ms"] = nullptr;
  }
  j["up_seconds"] = i.up_since ? nlohmann::json((now - *i.up_since).seconds_f()) : nlohmann::json(nullptr);
  nlohmann::json drops = nlohmann::json::object();
  for (size_t r = 1; r < bfd::drop_reason_count; ++r)
    if (i.counters.dropped_by_reason[r])
      drops[bfd::drop_reason_name(static_cast<bfd::DropReason>(r))] = i.counters.dropped_by_reason[r];
  j["counters"] = {{"rx_packets", i.counters.rx_packets},
                   {"tx_packets", i.counters.tx_packets},
                   {"dropped", i.counters.dropped},
                   {"dropped_by_reason", drops},
                   {"up_transitions", i.counters.up_transitions},
                   {"down_transitions", i.counters.down_transitions}};
  return j;
}

BfdService::BfdService(EventLoop& owner, EventHandler on_event, BfdServiceOptions options)
    : owner_(owner),
      on_event_(std::move(on_event)),
      options_(std::move(options)),
      random_engine_(options_.seed ? *options_.seed : (uint64_t(std::random_device{}()) << 32) ^ std::random_device{}()),
      sessions_([this] { return uint32_t(random_engine_()); }),
      timer_(loop_, [this] {
        sessions_.on_timer(loop_.now());
        drain();
      }) {}

BfdService::~BfdService() { stop(); }

Status BfdService::start() {
  if (running_) return {};
  std::promise<Status> started;
  std::future<Status> result = started.get_future();
  thread_ = std::thread([this, &started] { thread_main(&started); });
  Status status = result.get();
  if (!status) {
    thread_.join();
    return status;
  }
  running_ = true;
  return {};
}

void BfdService::thread_main(std::promise<Status>* started) {
  if (options_.prepare_thread && !options_.prepare_thread()) {
    started->set_value(Error{"BFD thread: preparation failed"});
    return;
  }
  if (auto s = open_listeners(); !s) {
    for (int fd : listeners_) close(fd);
    listeners_.clear();
    started->set_value(s);
    return;
  }
  started->set_value(Status{});
  loop_.run();
  // Everything is torn down here, on the thread that owns it.
  timer_.disarm();
  loop_.cancel(retry_timer_);
  for (auto& [discriminator, endpoint] : endpoints_) {
    loop_.cancel(endpoint.retire_timer);
    close(endpoint.fd);
  }
  endpoints_.clear();
  active_.clear();
  for (int fd : listeners_) {
    loop_.unwatch(fd);
    close(fd);
  }
  listeners_.clear();
}

Status BfdService::open_listeners() {
  std::string failures;
  for (Family family : {Family::ipv4, Family::ipv6}) {
    for (bool multihop : {false, true}) {
      uint16_t port = bfd::control_port(multihop);
      auto fd = open_bfd_listener(family, port);
      if (!fd) {
        failures += (failures.empty() ? "" : "; ") + fd.message();
        continue;
      }
      listeners_.push_back(*fd);
      loop_.watch(*fd, EPOLLIN, [this, fd = *fd, multihop](uint32_t) { on_readable(fd, multihop); });
    }
  }
  if (listeners_.empty()) return Error{"BFD: no listener: " + failures};
  if (!failures.empty()) log_warning("BFD: " + failures);
  return {};
}

void BfdService::stop() {
  if (!running_) return;
  loop_.post([this] {
    // RFC 5880 §6.8.16: tell every peer the session is going down on purpose.
    Time now = loop_.now();
    stopping_ = true;
    for (auto& [name, active] : active_) {
      if (auto s = sessions_.set_admin_down(now, active.discriminator, true); !s) log_warning("BFD: " + s.message());
    }
    drain();
    loop_.stop();
  });
  thread_.join();
  running_ = false;
}

void BfdService::set_peers(std::vector<BfdPeerConfig> peers) {
  loop_.post([this, peers = std::move(peers)]() mutable { apply(std::move(peers)); });
}

std::vector<BfdSessionStatus> BfdService::snapshot() {
  if (!running_) return {};
  // Shared: the BFD thread may answer after this call gave up waiting.
  auto answer = std::make_shared<std::promise<std::vector<BfdSessionStatus>>>();
  auto result = answer->get_future();
  loop_.post([this, answer] {
    std::vector<BfdSessionStatus> list;
    for (bfd::SessionInfo& info : sessions_.snapshot()) {
      auto it = endpoints_.find(info.local_discriminator);
      if (it == endpoints_.end()) continue;
      list.push_back({it->second.name, std::move(info), it->second.source_port});
    }
    answer->set_value(std::move(list));
  });
  if (result.wait_for(std::chrono::seconds(1)) != std::future_status::ready) return {};
  return result.get();
}

// ---------------------------------------------------------------- on the BFD thread

void BfdService::apply(std::vector<BfdPeerConfig> peers) {
  std::map<std::string, const BfdPeerConfig*> wanted;
  for (const BfdPeerConfig& p : peers) wanted[p.name] = &p;
  waiting_.clear();  // every wanted session not running is tried again below
  for (auto it = active_.begin(); it != active_.end();) {
    if (wanted.count(it->first)) {
      ++it;
      continue;
    }
    log_info("BFD session " + it->first + " removed");
    retire(it->second.discriminator);
    it = active_.erase(it);
  }
  Time now = loop_.now();
  for (const BfdPeerConfig& p : peers) {
    auto it = active_.find(p.name);
    if (it == active_.end()) {
      add(p, false);
      continue;
    }
    Active& active = it->second;
    if (active.config == p) continue;
    if (!same_identity(active.config, p)) {
      log_info("BFD session " + p.name + ": peer, local address, interface or multihop changed; re-created");
      retire(active.discriminator);
      active_.erase(it);
      add(p, false);
      continue;
    }
    const bfd::Session* session = sessions_.find(active.discriminator);
    if (!session) continue;
    bfd::SessionConfig config = session->config();
    config.desired_min_tx = p.interval;
    config.required_min_rx = p.interval;
    config.detect_mult = p.multiplier;
    config.auth = p.auth;
    // RFC 5880 §6.8.3: the session core changes timers with a Poll Sequence, without a flap.
    if (auto s = sessions_.reconfigure(now, config); !s) {
      log_error("BFD session " + p.name + ": reconfiguration refused: " + s.message());
      continue;
    }
    active.config = p;
    log_info("BFD session " + p.name + " reconfigured: " + std::to_string(p.interval.ms()) + " ms x " +
             std::to_string(p.multiplier));
  }
  drain();
}

void BfdService::retry_waiting() {
  retry_timer_ = 0;
  std::map<std::string, BfdPeerConfig> waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& [name, config] : waiting) add(config, true);
  drain();
}

BfdService::AddResult BfdService::add(const BfdPeerConfig& wanted, bool quiet) {
  Time now = loop_.now();
  bfd::SessionConfig config;
  config.local_discriminator = new_discriminator();
  config.peer = wanted.peer;
  config.multihop = wanted.multihop;
  config.desired_min_tx = wanted.interval;
  config.required_min_rx = wanted.interval;
  config.detect_mult = wanted.multiplier;
  config.auth = wanted.auth;
  config.local_address = wanted.local_address;
  if (!config.local_address) {
    // The source of the route to the peer, as the kernel would pick it for BGP.
    if (auto local = local_address_towards(wanted.peer, wanted.multihop ? "" : wanted.interface))
      config.local_address = *local;
    else if (!quiet)
      log_warning("BFD session " + wanted.name + ": " + local.message() + "; the kernel picks the source per packet");
  }
  if (!wanted.multihop) {
    config.interface = wanted.interface;
    // RFC 5881 §3 binds a single-hop session to an interface; when none is
    // configured, the one holding the local address is the directly connected one.
    if (config.interface.empty() && config.local_address) {
      std::string name = interface_with_address(*config.local_address);
      if (name != "lo") config.interface = name;
    }
  }
  if (auto s = bfd::validate(config); !s) {
    log_error("BFD session " + wanted.name + " not started: " + s.message());
    return AddResult::refused;
  }
  // A session still saying AdminDown for the same peer gives way to the new one.
  for (auto& [discriminator, endpoint] : endpoints_) {
    if (!endpoint.retire_timer) continue;
    const bfd::Session* old = sessions_.find(discriminator);
    if (old && old->config().peer == config.peer && old->config().interface == config.interface &&
        old->config().multihop == config.multihop) {
      finish_retiring(discriminator);
      break;
    }
  }
  auto sender = open_bfd_sender(
      {config.peer, config.local_address, config.multihop ? std::string() : config.interface, next_port_hint_});
  if (!sender) {
    // Typically the tunnel interface or its address is not there yet.
    if (!quiet)
      log_warning("BFD session " + wanted.name + " not started yet: " + sender.message() + "; trying again every " +
                  std::to_string(options_.retry_interval.ms()) + " ms");
    waiting_[wanted.name] = wanted;
    if (!retry_timer_) retry_timer_ = loop_.schedule(now + options_.retry_interval, [this] { retry_waiting(); });
    return AddResult::retry_later;
  }
  next_port_hint_ = sender->source_port == bfd::source_port_max ? bfd::source_port_min : sender->source_port + 1;
  if (auto s = sessions_.add(now, config); !s) {
    close(sender->fd);
    log_error("BFD session " + wanted.name + " not started: " + s.message());
    return AddResult::refused;
  }
  Endpoint endpoint;
  endpoint.name = wanted.name;
  endpoint.fd = sender->fd;
  endpoint.source_port = sender->source_port;
  endpoint.to_length =
      bfd_sockaddr(config.peer, bfd::control_port(config.multihop), config.interface, endpoint.to);
  endpoints_[config.local_discriminator] = std::move(endpoint);
  active_[wanted.name] = Active{wanted, config.local_discriminator};
  if (!config.multihop && config.interface.empty()) ++unbound_single_hop_peers_[config.peer];
  log_info("BFD session " + wanted.name + " to " + config.peer.to_string() +
           (config.multihop ? " (multihop)" : config.interface.empty() ? "" : " on " + config.interface) +
           " from " + (config.local_address ? config.local_address->to_string() : std::string("any")) + " port " +
           std::to_string(sender->source_port) + ": " + std::to_string(config.desired_min_tx.ms()) + " ms x " +
           std::to_string(config.detect_mult));
  return AddResult::started;
}

void BfdService::retire(uint32_t discriminator) {
  auto it = endpoints_.find(discriminator);
  const bfd::Session* session = sessions_.find(discriminator);
  if (it == endpoints_.end() || !session) return;
  Time now = loop_.now();
  Duration hold = std::clamp(session->detection_time(), min_retire_hold, max_retire_hold);
  if (auto s = sessions_.set_admin_down(now, discriminator, true); !s) log_warning("BFD: " + s.message());
  it->second.retire_timer = loop_.schedule(now + hold, [this, discriminator] { finish_retiring(discriminator); });
}

void BfdService::finish_retiring(uint32_t discriminator) {
  auto it = endpoints_.find(discriminator);
  if (it == endpoints_.end()) return;
  if (const bfd::Session* s = sessions_.find(discriminator); s && !s->config().multihop && s->config().interface.empty()) {
    auto unbound = unbound_single_hop_peers_.find(s->config().peer);
    if (unbound != unbound_single_hop_peers_.end() && --unbound->second == 0) unbound_single_hop_peers_.erase(unbound);
  }
  loop_.cancel(it->second.retire_timer);
  close(it->second.fd);
  endpoints_.erase(it);
  sessions_.remove(discriminator);
  timer_.arm(sessions_.next_deadline());
}

uint32_t BfdService::new_discriminator() {
  // RFC 5880 §6.8.1: nonzero and unique; random so a restarted halinkd does
  // not reuse the discriminators its peers still remember.
  while (true) {
    uint32_t d = uint32_t(random_engine_());
    if (d != 0 && !endpoints_.count(d)) return d;
  }
}

std::string BfdService::interface_name(unsigned index) {
  if (index == 0) return {};
  auto it = interface_names_.find(index);
  if (it != interface_names_.end()) return it->second;
  char name[IF_NAMESIZE] = {};
  std::string result = if_indextoname(index, name) ? name : "";
  interface_names_[index] = result;
  return result;
}

void BfdService::on_readable(int fd, bool multihop) {
  std::array<uint8_t, receive_buffer_size> buffer;
  for (int i = 0; i < receive_batch; ++i) {
    auto datagram = receive_bfd_datagram(fd, buffer);
    if (!datagram) break;
    std::string interface;
    if (!multihop && !unbound_single_hop_peers_.count(datagram->source))
      interface = interface_name(datagram->interface_index);
    bfd::PacketSource source{datagram->source, interface, multihop, datagram->ttl};
    bfd::DropReason drop = sessions_.on_packet(loop_.now(), {buffer.data(), datagram->size}, source);
    // An interface index may have been reused by a new interface: look it up again next time.
    if (drop == bfd::DropReason::no_session_for_source) interface_names_.erase(datagram->interface_index);
  }
  drain();
}

void BfdService::drain() {
  actions_.clear();
  sessions_.drain_actions(actions_);
  for (bfd::Action& action : actions_) {
    if (auto* send = std::get_if<bfd::SendPacket>(&action)) {
      auto it = endpoints_.find(send->local_discriminator);
      if (it == endpoints_.end()) continue;
      const Endpoint& e = it->second;
      // A failed send (no route yet, interface down) is what BFD exists to
      // detect: the peer's detection timer notices, so it is not an error here.
      [[maybe_unused]] ssize_t n = sendto(e.fd, send->packet.data.data(), send->packet.size, 0,
                                          reinterpret_cast<const sockaddr*>(&e.to), e.to_length);
      continue;
    }
    auto& change = std::get<bfd::StateChange>(action);
    auto it = endpoints_.find(change.local_discriminator);
    if (it == endpoints_.end()) continue;
    const Endpoint& e = it->second;
    if (e.retire_timer || stopping_) continue;  // removed or exiting: nobody to tell
    const bfd::Session* session = sessions_.find(change.local_discriminator);
    BfdEvent event;
    event.name = e.name;
    event.peer = session ? session->config().peer : IpAddress();
    event.old_state = change.old_state;
    event.new_state = change.new_state;
    event.diag = change.diag;
    event.peer_admin_down = session && change.diag == bfd::Diag::neighbor_signaled_session_down &&
                            session->info().remote_state == bfd::State::admin_down;
    event.text = bfd::to_string(change);
    LogLevel level = event.went_down() && !event.peer_admin_down ? LogLevel::warning : LogLevel::info;
    log_line(level, "BFD session " + e.name + " (" + event.peer.to_string() + "): " + event.text);
    // Urgent: a Down must not wait behind queued route slices on the BGP
    // loop; every state change goes the same way so they keep their order.
    owner_.post_urgent([handler = on_event_, event = std::move(event)] { handler(event); });
  }
  actions_.clear();
  timer_.arm(sessions_.next_deadline());
}

}  // namespace halink::runtime
