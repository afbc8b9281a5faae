// Virtual TCP: a reliable, ordered byte stream between two nodes over a
// fixed path, with the failure behaviour of a real stack and none of its
// byte-level detail.
//
// Model assumptions (Linux defaults where a number is needed):
// - Handshake: SYN, SYN-ACK, then the ACK, each crossing the path with its
//   latency. The initiator is connected when the SYN-ACK arrives; the
//   acceptor learns of the connection (accept() returns) when the ACK
//   arrives. A node that is up always listens: the application decides
//   after accepting (BGP closes a connection from an unknown peer itself).
// - A SYN or SYN-ACK lost to a dead path is retransmitted after 1 s, 2 s,
//   4 s, ... (tcp_syn_retries' backoff); the connect fails with
//   connect_timeout when the configured timeout passes first. A SYN to a
//   node that is down gets no answer at all (no RST from a dead box).
// - Data: each send() is one unit of the stream; it crosses the path with
//   latency plus serialisation of its bytes and per-segment headers, queued
//   behind earlier packets on each link. A unit sent into a dead path, or
//   in flight when any link of the path dies, is lost; the sender notices
//   only by its retransmission timer: RTO = RTT + 200 ms (rto_min), doubled
//   on every expiry up to 120 s, go-back-N, and after 15 expiries in a row
//   (tcp_retries2) the sender gives up with retransmission_timeout. So a
//   silent failure stalls the stream, and what was sent is delivered, in
//   order, at the first retransmission after the path returns — found by
//   the protocol's hold timer or BFD, never by the transport.
// - Delivery is acknowledged at arrival (the ACK's own trip is not modelled).
//   No receive window, no congestion control: units are never refused.
// - Close: a FIN travels in order behind the data; the receiver's
//   application sees peer_closed and the connection is finished.
// - A crashed node loses all its connections silently; its own units still
//   in flight are lost. Its peer keeps a half-open connection and learns
//   only when it sends: while the node is down its units are lost
//   (retransmissions, then retransmission_timeout); once the node is back
//   (new incarnation) its kernel answers the next unit with a RST, and the
//   peer sees reset one path latency later.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "core/ip.h"
#include "core/result.h"
#include "core/time.h"
#include "sim/network.h"
#include "sim/scheduler.h"

namespace halink::sim {

using ConnectionId = uint64_t;

enum class TcpCloseReason : uint8_t {
  connect_timeout,         // the handshake did not complete in time (dead path or dead peer)
  peer_closed,             // FIN received
  reset,                   // RST received (the peer rebooted, or had already closed)
  retransmission_timeout,  // the path stayed dead through every retransmission
};
const char* tcp_close_reason_name(TcpCloseReason reason);

struct TcpConfig {
  Duration connect_timeout = Duration::seconds(30);
  Duration initial_syn_rto = Duration::seconds(1);
  Duration min_rto = Duration::milliseconds(200);
  Duration max_rto = Duration::seconds(120);
  int max_retransmissions = 15;
  size_t max_segment_size = 1448;
  size_t header_bytes_per_segment = 52;  // IPv4 20 + TCP 20 + timestamps 12
};

// What the TCP model tells the nodes. Called from inside scheduler events;
// the handler may call back into the model (send, close, connect).
class TcpEvents {
public:
  virtual ~TcpEvents() = default;
  virtual void tcp_connected(NodeId node, ConnectionId connection) = 0;               // initiator
  virtual void tcp_accepted(NodeId node, ConnectionId connection) = 0;                // acceptor
  virtual void tcp_bytes(NodeId node, ConnectionId connection, std::span<const uint8_t> bytes) = 0;
  virtual void tcp_closed(NodeId node, ConnectionId connection, TcpCloseReason reason) = 0;
};

struct TcpConnectionInfo {
  NodeId initiator = 0;
  NodeId acceptor = 0;
  Path path;  // initiator → acceptor
  IpAddress initiator_address;  // the initiator's end of the first link
  IpAddress acceptor_address;   // the acceptor's end of the last link
  bool established = false;
};

class TcpModel {
public:
  TcpModel(Scheduler& scheduler, Network& network, TcpEvents& events, TcpConfig config = {});

  // Opens a connection from path.from to path.to. The initiator hears
  // tcp_connected or tcp_closed(connect_timeout) later, never at once.
  ConnectionId connect(const Path& path, std::optional<Duration> connect_timeout = std::nullopt);
  // Queues bytes on `node`'s side; an error when that side is not open.
  Status send(ConnectionId connection, NodeId node, std::span<const uint8_t> bytes);
  // `node`'s application is done: a FIN follows its data; no more events to it.
  void close(ConnectionId connection, NodeId node);
  // Every connection of `node` is lost without a word (see the header).
  void node_crashed(NodeId node);

  std::optional<TcpConnectionInfo> info(ConnectionId connection) const;
  // Connections where `node`'s application is attached, in id order.
  std::vector<ConnectionId> connections_of(NodeId node) const;
  size_t connection_count() const { return connections_.size(); }
  const TcpConfig& config() const { return config_; }

private:
  enum class ChunkKind : uint8_t { data, handshake_ack, fin };
  struct Chunk {
    uint64_t seq = 0;
    ChunkKind kind = ChunkKind::data;
    std::vector<uint8_t> bytes;
    uint64_t transmission = 0;
  };
  // One direction of the stream, from side s to side 1-s.
  struct Direction {
    std::deque<Chunk> unacked;
    uint64_t next_seq = 0;
    uint64_t next_transmission = 1;
    int retransmissions = 0;
    Duration rto;
    EventId rto_timer = no_event;
    Time last_arrival;
  };
  struct End {
    NodeId node = 0;
    uint64_t incarnation = 0;
    bool kernel_state = false;  // the node's stack knows this connection
    bool application = false;   // the node's application gets events
  };
  struct Connection {
    Path path[2];  // [0] initiator → acceptor, [1] back
    End side[2];   // [0] initiator, [1] acceptor
    Direction direction[2];
    bool established = false;
    int syn_attempts = 0;
    EventId syn_timer = no_event;
    EventId connect_deadline = no_event;
  };

  Connection* find(ConnectionId id);
  int side_of(const Connection& c, NodeId node) const;
  bool end_alive(const End& end) const;
  size_t wire_bytes(size_t payload) const;
  void send_syn(ConnectionId id);
  void syn_arrived(ConnectionId id, uint64_t epoch);
  void syn_ack_arrived(ConnectionId id, uint64_t epoch);
  void enqueue(ConnectionId id, int direction, ChunkKind kind, std::vector<uint8_t> bytes);
  void transmit(ConnectionId id, Connection& c, int direction, Chunk& chunk);
  void arm_rto(ConnectionId id, Connection& c, int direction);
  void rto_expired(ConnectionId id, int direction);
  void chunk_arrived(ConnectionId id, int direction, uint64_t seq, uint64_t transmission, uint64_t epoch);
  void send_reset(ConnectionId id, int toward_side);
  void reset_arrived(ConnectionId id, int side, uint64_t epoch);
  void finish_if_abandoned(ConnectionId id);
  void erase(ConnectionId id);

  Scheduler& scheduler_;
  Network& network_;
  TcpEvents& events_;
  TcpConfig config_;
  ConnectionId next_id_ = 1;
  std::map<ConnectionId, Connection> connections_;
};

}  // namespace halink::sim
