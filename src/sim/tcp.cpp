#include "sim/tcp.h"

#include <algorithm>

namespace halink::sim {

const char* tcp_close_reason_name(TcpCloseReason reason) {
  switch (reason) {
    case TcpCloseReason::connect_timeout: return "connect-timeout";
    case TcpCloseReason::peer_closed: return "peer-closed";
    case TcpCloseReason::reset: return "reset";
    case TcpCloseReason::retransmission_timeout: return "retransmission-timeout";
  }
  return "?";
}

TcpModel::TcpModel(Scheduler& scheduler, Network& network, TcpEvents& events, TcpConfig config)
    : scheduler_(scheduler), network_(network), events_(events), config_(config) {}

TcpModel::Connection* TcpModel::find(ConnectionId id) {
  auto it = connections_.find(id);
  return it == connections_.end() ? nullptr : &it->second;
}

int TcpModel::side_of(const Connection& c, NodeId node) const {
  if (c.side[0].node == node) return 0;
  if (c.side[1].node == node) return 1;
  return -1;
}

bool TcpModel::end_alive(const End& end) const {
  return end.kernel_state && network_.node_up(end.node) && network_.incarnation(end.node) == end.incarnation;
}

size_t TcpModel::wire_bytes(size_t payload) const {
  const size_t segments = payload == 0 ? 1 : (payload + config_.max_segment_size - 1) / config_.max_segment_size;
  return payload + segments * config_.header_bytes_per_segment;
}

ConnectionId TcpModel::connect(const Path& path, std::optional<Duration> connect_timeout) {
  const ConnectionId id = next_id_++;
  Connection c;
  c.path[0] = path;
  c.path[1] = path.reversed();
  c.side[0] = End{path.from, network_.incarnation(path.from), true, true};
  c.side[1] = End{path.to, 0, false, false};
  connections_.emplace(id, std::move(c));
  Connection& stored = connections_.at(id);
  stored.connect_deadline = scheduler_.schedule_after(connect_timeout.value_or(config_.connect_timeout), [this, id] {
    Connection* conn = find(id);
    if (!conn || conn->established) return;
    conn->connect_deadline = no_event;
    const NodeId node = conn->side[0].node;
    erase(id);
    events_.tcp_closed(node, id, TcpCloseReason::connect_timeout);
  });
  // The first SYN leaves from inside an event, never from inside connect():
  // the caller is usually in the middle of handling something.
  scheduler_.schedule_after(Duration::zero(), [this, id] { send_syn(id); });
  return id;
}

void TcpModel::send_syn(ConnectionId id) {
  Connection* c = find(id);
  if (!c || c->established) return;
  const Duration backoff = config_.initial_syn_rto * (int64_t{1} << std::min(c->syn_attempts, 20));
  ++c->syn_attempts;
  if (network_.path_usable(c->path[0])) {
    const uint64_t epoch = network_.path_epoch(c->path[0]);
    const Time arrival = network_.transmit(c->path[0], wire_bytes(0), scheduler_.now());
    scheduler_.schedule_at(arrival, [this, id, epoch] { syn_arrived(id, epoch); });
  }
  c->syn_timer = scheduler_.schedule_after(backoff, [this, id] { send_syn(id); });
}

void TcpModel::syn_arrived(ConnectionId id, uint64_t epoch) {
  Connection* c = find(id);
  if (!c || c->established || network_.path_epoch(c->path[0]) != epoch) return;
  End& acceptor = c->side[1];
  if (!network_.node_up(acceptor.node)) return;  // a dead box answers nothing
  if (!end_alive(acceptor)) acceptor = End{acceptor.node, network_.incarnation(acceptor.node), true, false};
  if (!network_.path_usable(c->path[1])) return;
  const uint64_t back_epoch = network_.path_epoch(c->path[1]);
  const Time arrival = network_.transmit(c->path[1], wire_bytes(0), scheduler_.now());
  scheduler_.schedule_at(arrival, [this, id, back_epoch] { syn_ack_arrived(id, back_epoch); });
}

void TcpModel::syn_ack_arrived(ConnectionId id, uint64_t epoch) {
  Connection* c = find(id);
  if (!c || c->established || network_.path_epoch(c->path[1]) != epoch || !end_alive(c->side[0])) return;
  c->established = true;
  scheduler_.cancel(c->syn_timer);
  scheduler_.cancel(c->connect_deadline);
  c->syn_timer = c->connect_deadline = no_event;
  const Duration rtt = network_.path_latency(c->path[0]) * 2;
  for (Direction& d : c->direction) d.rto = std::min(rtt + config_.min_rto, config_.max_rto);
  // The handshake's ACK is the first unit of the initiator's stream, so it
  // is retransmitted like data and always reaches the acceptor before data.
  enqueue(id, 0, ChunkKind::handshake_ack, {});
  events_.tcp_connected(c->side[0].node, id);
}

Status TcpModel::send(ConnectionId id, NodeId node, std::span<const uint8_t> bytes) {
  Connection* c = find(id);
  if (!c) return Error{"connection " + std::to_string(id) + " does not exist"};
  const int s = side_of(*c, node);
  if (s < 0) return Error{"connection " + std::to_string(id) + " is not " + network_.node_name(node) + "'s"};
  if (!c->established || !c->side[s].application)
    return Error{"connection " + std::to_string(id) + " is not open on " + network_.node_name(node)};
  enqueue(id, s, ChunkKind::data, std::vector<uint8_t>(bytes.begin(), bytes.end()));
  return Status::success();
}

void TcpModel::close(ConnectionId id, NodeId node) {
  Connection* c = find(id);
  if (!c) return;
  const int s = side_of(*c, node);
  if (s < 0 || !c->side[s].application) return;
  c->side[s].application = false;
  if (c->established && end_alive(c->side[s])) enqueue(id, s, ChunkKind::fin, {});
  finish_if_abandoned(id);
}

void TcpModel::node_crashed(NodeId node) {
  std::vector<ConnectionId> ids;
  for (const auto& [id, c] : connections_)
    if (c.side[0].node == node || c.side[1].node == node) ids.push_back(id);
  for (ConnectionId id : ids) {
    Connection& c = connections_.at(id);
    const int s = side_of(c, node);
    if (!c.established && s == 0) {
      erase(id);
      continue;
    }
    End& end = c.side[s];
    end.kernel_state = false;
    end.application = false;
    Direction& d = c.direction[s];
    scheduler_.cancel(d.rto_timer);
    d.rto_timer = no_event;
    d.unacked.clear();
    finish_if_abandoned(id);
  }
}

void TcpModel::enqueue(ConnectionId id, int direction, ChunkKind kind, std::vector<uint8_t> bytes) {
  Connection& c = connections_.at(id);
  Direction& d = c.direction[direction];
  d.unacked.push_back(Chunk{d.next_seq++, kind, std::move(bytes), 0});
  transmit(id, c, direction, d.unacked.back());
}

void TcpModel::transmit(ConnectionId id, Connection& c, int direction, Chunk& chunk) {
  Direction& d = c.direction[direction];
  chunk.transmission = d.next_transmission++;
  const Path& path = c.path[direction];
  if (network_.path_usable(path)) {
    const uint64_t epoch = network_.path_epoch(path);
    const Time arrival = std::max(network_.transmit(path, wire_bytes(chunk.bytes.size()), scheduler_.now()), d.last_arrival);
    d.last_arrival = arrival;
    scheduler_.schedule_at(arrival, [this, id, direction, seq = chunk.seq, tx = chunk.transmission, epoch] {
      chunk_arrived(id, direction, seq, tx, epoch);
    });
  }
  arm_rto(id, c, direction);
}

void TcpModel::arm_rto(ConnectionId id, Connection& c, int direction) {
  Direction& d = c.direction[direction];
  if (d.rto_timer != no_event) return;
  d.rto_timer = scheduler_.schedule_after(d.rto, [this, id, direction] { rto_expired(id, direction); });
}

void TcpModel::rto_expired(ConnectionId id, int direction) {
  Connection* c = find(id);
  if (!c) return;
  Direction& d = c->direction[direction];
  d.rto_timer = no_event;
  if (d.unacked.empty()) return;
  if (++d.retransmissions > config_.max_retransmissions) {
    // Like a crash of this end only: the peer may still hold the connection
    // and will get a RST when it next sends.
    End& end = c->side[direction];
    const bool tell = end.application;
    end.kernel_state = false;
    end.application = false;
    d.unacked.clear();
    const NodeId node = end.node;
    finish_if_abandoned(id);
    if (tell) events_.tcp_closed(node, id, TcpCloseReason::retransmission_timeout);
    return;
  }
  d.rto = std::min(d.rto * 2, config_.max_rto);
  for (Chunk& chunk : d.unacked) transmit(id, *c, direction, chunk);  // go-back-N; re-arms the timer
}

void TcpModel::chunk_arrived(ConnectionId id, int direction, uint64_t seq, uint64_t transmission, uint64_t epoch) {
  Connection* c = find(id);
  if (!c) return;
  Direction& d = c->direction[direction];
  if (d.unacked.empty() || d.unacked.front().seq != seq || d.unacked.front().transmission != transmission) return;
  if (network_.path_epoch(c->path[direction]) != epoch) return;  // lost on the wire
  const int receiver = 1 - direction;
  End& to = c->side[receiver];
  if (!network_.node_up(to.node)) return;  // nobody there: the sender retransmits
  if (!end_alive(to)) {
    // The receiver rebooted (or gave up): its stack knows no such
    // connection and answers with a RST (RFC 9293 §3.10.7.1).
    send_reset(id, direction);
    return;
  }
  Chunk chunk = std::move(d.unacked.front());
  d.unacked.pop_front();
  d.retransmissions = 0;
  d.rto = std::min(network_.path_latency(c->path[0]) * 2 + config_.min_rto, config_.max_rto);
  scheduler_.cancel(d.rto_timer);
  d.rto_timer = no_event;
  if (!d.unacked.empty()) arm_rto(id, *c, direction);

  const NodeId node = to.node;
  switch (chunk.kind) {
    case ChunkKind::handshake_ack:
      to.application = true;
      events_.tcp_accepted(node, id);
      break;
    case ChunkKind::data:
      if (to.application) events_.tcp_bytes(node, id, chunk.bytes);
      break;
    case ChunkKind::fin: {
      const bool tell = to.application;
      erase(id);
      if (tell) events_.tcp_closed(node, id, TcpCloseReason::peer_closed);
      break;
    }
  }
}

void TcpModel::send_reset(ConnectionId id, int toward_side) {
  Connection& c = connections_.at(id);
  const Path& back = c.path[1 - toward_side];
  if (!network_.path_usable(back)) return;
  const uint64_t epoch = network_.path_epoch(back);
  const Time arrival = network_.transmit(back, wire_bytes(0), scheduler_.now());
  scheduler_.schedule_at(arrival, [this, id, toward_side, epoch] { reset_arrived(id, toward_side, epoch); });
}

void TcpModel::reset_arrived(ConnectionId id, int side, uint64_t epoch) {
  Connection* c = find(id);
  if (!c || network_.path_epoch(c->path[1 - side]) != epoch || !end_alive(c->side[side])) return;
  const bool tell = c->side[side].application;
  const NodeId node = c->side[side].node;
  erase(id);
  if (tell) events_.tcp_closed(node, id, TcpCloseReason::reset);
}

void TcpModel::finish_if_abandoned(ConnectionId id) {
  Connection* c = find(id);
  if (!c) return;
  // Before the handshake completes the acceptor's application is not
  // attached yet, so only the initiator's interest keeps it alive.
  const bool wanted = c->established ? (c->side[0].application || c->side[1].application) : c->side[0].application;
  if (!wanted) erase(id);
}

void TcpModel::erase(ConnectionId id) {
  Connection* c = find(id);
  if (!c) return;
  scheduler_.cancel(c->syn_timer);
  scheduler_.cancel(c->connect_deadline);
  for (Direction& d : c->direction) scheduler_.cancel(d.rto_timer);
  connections_.erase(id);
}

std::optional<TcpConnectionInfo> TcpModel::info(ConnectionId id) const {
  auto it = connections_.find(id);
  if (it == connections_.end()) return std::nullopt;
  const Connection& c = it->second;
  TcpConnectionInfo info;
  info.initiator = c.side[0].node;
  info.acceptor = c.side[1].node;
  info.path = c.path[0];
  info.initiator_address = network_.end_of(c.path[0].links.front(), c.side[0].node).address;
  info.acceptor_address = network_.end_of(c.path[0].links.back(), c.side[1].node).address;
  info.established = c.established;
  return info;
}

std::vector<ConnectionId> TcpModel::connections_of(NodeId node) const {
  std::vector<ConnectionId> out;
  for (const auto& [id, c] : connections_)
    if ((c.side[0].node == node && c.side[0].application) || (c.side[1].node == node && c.side[1].application))
      out.push_back(id);
  return out;
}

}  // namespace halink::sim
