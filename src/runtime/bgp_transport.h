// Real TCP connections for the Speaker's sessions: listeners, active
// connects, non-blocking reads and writes, all on the BGP event loop.
// The speaker decides; this only moves bytes and reports what happened.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "bgp/speaker/speaker.h"
#include "runtime/bgp_socket.h"
#include "runtime/event_loop.h"

namespace halink::runtime {

struct PeerTransport {
  Endpoint remote;              // address, port, interface scope
  TransportOptions options;     // TTL/GTSM/MD5/bind/update-source
};

class BgpTransport {
public:
  // `after_input` runs after every call into the speaker (drain its actions).
  BgpTransport(EventLoop& loop, bgp::Speaker& speaker, std::function<void()> after_input);
  ~BgpTransport();

  // Listens on each address (none: 0.0.0.0 and ::) at `port`.
  Status listen(const std::vector<IpAddress>& addresses, uint16_t port);
  void set_peer(bgp::PeerId peer, PeerTransport transport);
  void remove_peer(bgp::PeerId peer);

  // Speaker actions.
  void connect(bgp::PeerId peer, bgp::ConnectionId connection);
  void send(bgp::PeerId peer, bgp::ConnectionId connection, std::vector<uint8_t> bytes);
  void close(bgp::PeerId peer, bgp::ConnectionId connection);

  // Reading stops while a neighbour has more than pause_above_prefixes
  // received and not processed (memory stays bounded; TCP flow control slows
  // the sender); the route-processing loop calls this after every slice to
  // read again once the queue is below resume_below_prefixes.
  // Close together: while reading is paused the peer's KEEPALIVEs are not
  // read either, so a pause must last about one slice, far below a 3 s hold.
  static constexpr size_t pause_above_prefixes = 8192;
  static constexpr size_t resume_below_prefixes = 4096;
  void resume_reading();
  // One read from every connection paused this way. The daemon calls it
  // before the speaker's timers run: bytes a peer sent that we chose not to
  // read yet are not its silence, and any message decoded restarts the
  // hold timer (RFC 4271 §6.5), so a slow table load never expires it.
  void read_paused_once();

  size_t open_connections() const { return connections_.size(); }

private:
  struct Connection {
    int fd = -1;
    bgp::PeerId peer = 0;
    bgp::ConnectionId id = 0;
    bool connecting = false;
    bool reading_paused = false;
    uint32_t watched_events = 0;  // what epoll has for it now
    std::vector<uint8_t> out;
    size_t out_offset = 0;
  };
  using Key = std::pair<bgp::PeerId, bgp::ConnectionId>;

  void accept_on(int listen_fd);
  void on_event(Key key, uint32_t events);
  void on_readable(Connection& c);
  bool flush(Connection& c);  // false: the connection failed
  void flush_queued();        // every connection's queued bytes (posted once per batch)
  void watch(Connection& c);
  uint32_t interest(const Connection& c) const;  // epoll events wanted now
  void update_interest(Connection& c);           // epoll_ctl only when it changed
  void fail(Key key);  // tell the speaker, forget the connection
  void forget(Key key);
  std::optional<bgp::PeerId> peer_for(const Endpoint& remote) const;

  EventLoop& loop_;
  bgp::Speaker& speaker_;
  std::function<void()> after_input_;
  std::vector<int> listeners_;
  std::map<bgp::PeerId, PeerTransport> peers_;
  std::map<Key, Connection> connections_;
  bool flush_posted_ = false;
};

}  // namespace halink::runtime
