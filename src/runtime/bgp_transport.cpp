#include "runtime/bgp_transport.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "runtime/log.h"

namespace halink::runtime {

namespace {
// One read per wake-up is bounded so timers and other peers are served
// between slices of a large table (ARCHITECTURE.md "Liveness never waits").
// 16 KiB is about 4,000 /24 prefixes: one read cannot overshoot the pause
// bound by much, so a pause stays short.
constexpr size_t read_slice = 16 * 1024;
// Writes are batched: a route slice hands over thousands of UPDATEs of
// ~100 octets each, and one send() per message (plus the epoll_ctl after
// it) was a fifth of the daemon's CPU in a full-table load, nearly all of
// it the kernel's per-call TCP work. Bytes are queued and written once this
// many have gathered, the rest right after the current batch of the
// speaker's actions (a posted flush, run before the next route slice).
constexpr size_t write_batch = 64 * 1024;
}  // namespace

BgpTransport::BgpTransport(EventLoop& loop, bgp::Speaker& speaker, std::function<void()> after_input)
    : loop_(loop), speaker_(speaker), after_input_(std::move(after_input)) {}

BgpTransport::~BgpTransport() {
  for (auto& [key, c] : connections_) {
    loop_.unwatch(c.fd);
    ::close(c.fd);
  }
  for (int fd : listeners_) {
    loop_.unwatch(fd);
    ::close(fd);
  }
}

Status BgpTransport::listen(const std::vector<IpAddress>& addresses, uint16_t port) {
  std::vector<IpAddress> list = addresses;
  if (list.empty()) list = {IpAddress::v4(0), *IpAddress::parse("::")};
  for (const IpAddress& a : list) {
    auto fd = open_listener(Endpoint{a, port, {}});
    if (!fd) return fd.error();
    listeners_.push_back(*fd);
    for (auto& [peer, t] : peers_)
      if (!t.options.md5_key.empty()) (void)set_md5_key(*fd, t.remote.address, t.options.md5_key);
    int listen_fd = *fd;
    loop_.watch(listen_fd, EPOLLIN, [this, listen_fd](uint32_t) { accept_on(listen_fd); });
  }
  return {};
}

void BgpTransport::set_peer(bgp::PeerId peer, PeerTransport transport) {
  if (!transport.options.md5_key.empty())
    for (int fd : listeners_)
      if (auto s = set_md5_key(fd, transport.remote.address, transport.options.md5_key); !s)
        log_warning("TCP-MD5 for " + transport.remote.address.to_string() + ": " + s.message());
  peers_[peer] = std::move(transport);
}

void BgpTransport::remove_peer(bgp::PeerId peer) {
  for (auto it = connections_.begin(); it != connections_.end();) {
    if (it->first.first == peer) {
      loop_.unwatch(it->second.fd);
      ::close(it->second.fd);
      it = connections_.erase(it);
    } else {
      ++it;
    }
  }
  peers_.erase(peer);
}

std::optional<bgp::PeerId> BgpTransport::peer_for(const Endpoint& remote) const {
  for (auto& [peer, t] : peers_) {
    if (t.remote.address != remote.address) continue;
    // A link-local address means something only on its interface.
    if (remote.address.is_link_local() && remote.address.is_v6() && !t.remote.interface.empty() &&
        t.remote.interface != remote.interface)
      continue;
    return peer;
  }
  return std::nullopt;
}

void BgpTransport::accept_on(int listen_fd) {
  while (true) {
    int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    auto remote = remote_endpoint(fd);
    auto local = local_endpoint(fd);
    std::optional<bgp::PeerId> peer = remote ? peer_for(*remote) : std::nullopt;
    if (!peer || !local) {
      log_info("refused a BGP connection from " + (remote ? remote->address.to_string() : "?") +
               ": not a configured neighbour");
      ::close(fd);
      continue;
    }
    if (auto s = apply_session_options(fd, remote->address.family(), peers_[*peer].options); !s)
      log_warning("socket options for " + remote->address.to_string() + ": " + s.message());
    bgp::ConnectionId id = speaker_.on_incoming(loop_.now(), *peer, local->address);
    Connection c;
    c.fd = fd;
    c.peer = *peer;
    c.id = id;
    auto [it, inserted] = connections_.emplace(Key{*peer, id}, std::move(c));
    if (!inserted) {
      ::close(fd);
    } else {
      watch(it->second);
    }
    after_input_();  // may close it again (e.g. refused while Idle)
  }
}

uint32_t BgpTransport::interest(const Connection& c) const {
  uint32_t events = c.reading_paused ? 0u : uint32_t(EPOLLIN);
  if (c.connecting || c.out_offset < c.out.size()) events |= EPOLLOUT;
  return events;
}

void BgpTransport::watch(Connection& c) {
  Key key{c.peer, c.id};
  c.watched_events = interest(c);
  loop_.watch(c.fd, c.watched_events, [this, key](uint32_t ev) { on_event(key, ev); });
}

void BgpTransport::update_interest(Connection& c) {
  uint32_t events = interest(c);
  if (events == c.watched_events) return;
  c.watched_events = events;
  loop_.change(c.fd, events);
}

void BgpTransport::resume_reading() {
  for (auto& [key, c] : connections_) {
    if (!c.reading_paused || speaker_.pending_prefixes(key.first) >= resume_below_prefixes) continue;
    c.reading_paused = false;
    update_interest(c);
  }
}

void BgpTransport::read_paused_once() {
  std::vector<Key> paused;
  for (auto& [key, c] : connections_)
    if (c.reading_paused) paused.push_back(key);
  for (Key key : paused)  // a read may close the connection: look it up again
    if (auto it = connections_.find(key); it != connections_.end()) on_readable(it->second);
}

void BgpTransport::connect(bgp::PeerId peer, bgp::ConnectionId connection) {
  auto p = peers_.find(peer);
  if (p == peers_.end()) return;
  auto fd = start_connect(p->second.remote, p->second.options);
  if (!fd) {
    log_warning("connect to " + p->second.remote.address.to_string() + ": " + fd.message());
    // Report asynchronously: the speaker is in the middle of handing out actions.
    loop_.post([this, peer, connection] {
      speaker_.on_closed(loop_.now(), peer, connection);
      after_input_();
    });
    return;
  }
  Connection c;
  c.fd = *fd;
  c.peer = peer;
  c.id = connection;
  c.connecting = true;
  auto [it, inserted] = connections_.insert_or_assign(Key{peer, connection}, std::move(c));
  watch(it->second);
}

void BgpTransport::send(bgp::PeerId peer, bgp::ConnectionId connection, std::vector<uint8_t> bytes) {
  auto it = connections_.find({peer, connection});
  if (it == connections_.end()) return;
  Connection& c = it->second;
  if (c.out_offset == c.out.size()) {
    c.out.clear();  // keeps its capacity: no large block freed and allocated again per batch
    c.out_offset = 0;
  } else if (c.out_offset >= write_batch && c.out_offset * 2 >= c.out.size()) {
    // Most of the buffer is written: drop that part instead of growing.
    c.out.erase(c.out.begin(), c.out.begin() + ptrdiff_t(c.out_offset));
    c.out_offset = 0;
  }
  c.out.insert(c.out.end(), bytes.begin(), bytes.end());
  if (c.connecting) return;
  if (c.out.size() - c.out_offset >= write_batch) {
    if (!flush(c)) {
      Key key{peer, connection};
      loop_.post([this, key] { fail(key); });
    }
    return;
  }
  if (!flush_posted_) {
    flush_posted_ = true;
    loop_.post([this] { flush_queued(); });
  }
}

void BgpTransport::flush_queued() {
  flush_posted_ = false;
  std::vector<Key> failed;
  for (auto& [key, c] : connections_)
    if (!c.connecting && c.out_offset < c.out.size() && !flush(c)) failed.push_back(key);
  for (Key key : failed) fail(key);
}

void BgpTransport::close(bgp::PeerId peer, bgp::ConnectionId connection) {
  auto it = connections_.find({peer, connection});
  if (it == connections_.end()) return;
  // Best effort for what was queued (usually the NOTIFICATION that explains the close).
  if (!it->second.connecting) (void)flush(it->second);
  shutdown(it->second.fd, SHUT_WR);
  forget(it->first);
}

bool BgpTransport::flush(Connection& c) {
  while (c.out_offset < c.out.size()) {
    ssize_t n = ::send(c.fd, c.out.data() + c.out_offset, c.out.size() - c.out_offset, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return false;
    }
    c.out_offset += size_t(n);
  }
  if (c.out_offset == c.out.size()) {
    c.out.clear();
    c.out_offset = 0;
  }
  update_interest(c);
  return true;
}

void BgpTransport::on_event(Key key, uint32_t events) {
  auto it = connections_.find(key);
  if (it == connections_.end()) return;
  Connection& c = it->second;
  if (c.connecting) {
    if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
    if (auto s = connect_result(c.fd); !s) {
      log_debug("connect to neighbour " + std::to_string(key.first) + " failed: " + s.message());
      fail(key);
      return;
    }
    c.connecting = false;
    auto local = local_endpoint(c.fd);
    speaker_.on_connected(loop_.now(), key.first, key.second, local ? local->address : IpAddress{});
    after_input_();
    it = connections_.find(key);
    if (it == connections_.end()) return;
    if (!flush(it->second)) fail(key);
    return;
  }
  if (events & EPOLLOUT) {
    if (!flush(c)) {
      fail(key);
      return;
    }
  }
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c);
}

void BgpTransport::on_readable(Connection& c) {
  Key key{c.peer, c.id};
  uint8_t buf[read_slice];
  ssize_t n = recv(c.fd, buf, sizeof buf, 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
  if (n <= 0) {
    fail(key);
    return;
  }
  speaker_.on_bytes(loop_.now(), key.first, key.second, std::span<const uint8_t>(buf, size_t(n)));
  if (speaker_.pending_prefixes(key.first) > pause_above_prefixes) {
    c.reading_paused = true;
    update_interest(c);
  }
  after_input_();
}

void BgpTransport::fail(Key key) {
  if (!connections_.count(key)) return;
  forget(key);
  speaker_.on_closed(loop_.now(), key.first, key.second);
  after_input_();
}

void BgpTransport::forget(Key key) {
  auto it = connections_.find(key);
  if (it == connections_.end()) return;
  loop_.unwatch(it->second.fd);
  ::close(it->second.fd);
  connections_.erase(it);
}

}  // namespace halink::runtime
