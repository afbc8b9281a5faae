#include "sim/simulation.h"

namespace halink::sim {

namespace {
constexpr uint32_t max_fires_at_same_time = 10'000;
}

Simulation::Simulation(SimulationConfig config)
    : config_(config),
      master_random_(config.seed),
      tcp_(scheduler_, network_, *this, config.tcp),
      datagrams_(scheduler_, network_, *this),
      traffic_(scheduler_, network_, config.traffic) {
  network_.add_observer([this] { traffic_.changed(); });
  traffic_.set_observer([this](Time at, FlowId id, const FlowPath& before, const FlowPath& after) {
    if (!config_.trace_flows || !tracing()) return;
    std::string text;
    if (after.delivered) {
      text = "delivered";
      if (!after.links.empty()) {
        text += " via ";
        for (size_t i = 0; i < after.links.size(); ++i) text += (i ? "," : "") + network_.link_name(after.links[i]);
      }
      const auto& outages = traffic_.outages(id);
      if (!before.delivered && !outages.empty() && outages.back().end == at)
        text += " after " + outages.back().length().to_string() + " out";
    } else {
      text = std::string("dropped (") + drop_reason_name(after.drop) + ") at " + network_.node_name(after.last_node);
      if (!after.links.empty()) text += " on " + network_.link_name(after.links.back());
    }
    trace_.record(at, "flow " + traffic_.flow(id).name, text);
  });
}

Simulation::~Simulation() = default;

NodeId Simulation::add_node(std::string name) {
  const NodeId id = network_.add_node(std::move(name));
  NodeSlot slot{std::make_unique<ForwardingTable>(), master_random_.fork(id), nullptr};
  slot.table->set_observer([this] { traffic_.changed(); });
  nodes_.push_back(std::move(slot));
  traffic_.set_table(id, nodes_.back().table.get());
  traffic_.set_hash_seed(id, mix64(config_.seed ^ mix64(uint64_t{id} + 0x1000)));
  return id;
}

void Simulation::attach(NodeId node, std::unique_ptr<Node> adapter) {
  nodes_.at(node).adapter = std::move(adapter);
  scheduler_.schedule_at(now(), [this, node] {
    if (Node* n = live_adapter(node)) {
      n->start(now());
      wake(node);
    }
  });
}

Node* Simulation::live_adapter(NodeId node) {
  NodeSlot& slot = nodes_.at(node);
  return slot.adapter && network_.node_up(node) ? slot.adapter.get() : nullptr;
}

void Simulation::wake(NodeId node) {
  NodeSlot& slot = nodes_.at(node);
  Node* n = live_adapter(node);
  Time deadline = n ? n->next_deadline() : Time::never();
  if (!deadline.is_never() && deadline < now()) deadline = now();
  if (!deadline.is_never() && deadline == now() && slot.last_fire == now() &&
      slot.fires_at_same_time >= max_fires_at_same_time) {
    trace_.record(now(), network_.node_name(node), "timer does not advance past now; retrying in 1ms");
    deadline = now() + Duration::milliseconds(1);
  }
  if (slot.timer != no_event && slot.timer_at == deadline && scheduler_.is_pending(slot.timer)) return;
  scheduler_.cancel(slot.timer);
  slot.timer = no_event;
  slot.timer_at = deadline;
  if (deadline.is_never()) return;
  slot.timer = scheduler_.schedule_at(deadline, [this, node] { fire_timer(node); });
}

void Simulation::fire_timer(NodeId node) {
  NodeSlot& slot = nodes_.at(node);
  slot.timer = no_event;
  slot.timer_at = Time::never();
  slot.fires_at_same_time = slot.last_fire == now() ? slot.fires_at_same_time + 1 : 1;
  slot.last_fire = now();
  if (Node* n = live_adapter(node)) n->on_timer(now());
  wake(node);
}

void Simulation::note(NodeId node, std::string_view text) { trace_.record(now(), network_.node_name(node), text); }

std::string Simulation::connection_label(ConnectionId connection, NodeId node) const {
  std::string label = "tcp#" + std::to_string(connection);
  if (auto info = tcp_.info(connection)) {
    const NodeId peer = info->initiator == node ? info->acceptor : info->initiator;
    label += " (" + network_.node_name(peer) + ")";
  }
  return label;
}

ConnectionId Simulation::tcp_connect(const Path& path, std::optional<Duration> connect_timeout) {
  const ConnectionId id = tcp_.connect(path, connect_timeout);
  if (tracing()) trace_.record(now(), network_.node_name(path.from), connection_label(id, path.from) + " connect");
  return id;
}

Status Simulation::tcp_send(NodeId node, ConnectionId connection, std::span<const uint8_t> bytes) {
  return tcp_.send(connection, node, bytes);
}

void Simulation::tcp_close(NodeId node, ConnectionId connection) {
  if (tracing()) trace_.record(now(), network_.node_name(node), connection_label(connection, node) + " close");
  tcp_.close(connection, node);
}

ChannelId Simulation::link_channel(LinkId link) {
  auto it = link_channels_.find(link);
  if (it != link_channels_.end()) return it->second;
  const ChannelId channel = datagrams_.open(network_.direct_path(network_.link(link).a.node, link));
  link_channels_.emplace(link, channel);
  return channel;
}

Status Simulation::send_datagram(NodeId node, ChannelId channel, std::span<const uint8_t> bytes) {
  return datagrams_.send(channel, node, bytes);
}

void Simulation::deliver(const std::vector<InterfaceEvent>& events) {
  for (const InterfaceEvent& event : events) {
    const std::string& interface = network_.end_of(event.link, event.node).interface;
    if (tracing())
      trace_.record(now(), network_.node_name(event.node),
                  "interface " + (interface.empty() ? network_.link_name(event.link) : interface) + " carrier " +
                      (event.carrier_up ? "up" : "down"));
    scheduler_.schedule_at(now(), [this, event] {
      if (Node* n = live_adapter(event.node)) {
        n->on_interface(now(), event.link, event.carrier_up);
        wake(event.node);
      }
    });
  }
}

void Simulation::set_link_state(LinkId link, LinkState state) {
  trace_.record(now(), network_.link_name(link), std::string("link ") + link_state_name(state));
  deliver(network_.set_link_state(link, state));
}

void Simulation::set_underlay_up(UnderlayId underlay, bool up) {
  trace_.record(now(), network_.underlay_name(underlay), up ? "underlay up" : "underlay lost");
  deliver(network_.set_underlay_up(underlay, up));
}

void Simulation::crash(NodeId node) {
  if (!network_.node_up(node)) return;
  trace_.record(now(), network_.node_name(node), "crash");
  NodeSlot& slot = nodes_.at(node);
  const auto events = network_.set_node_up(node, false);
  tcp_.node_crashed(node);
  scheduler_.cancel(slot.timer);
  slot.timer = no_event;
  slot.timer_at = Time::never();
  if (slot.adapter) {
    slot.table->clear_routes();
    slot.adapter->crash(now());
  }
  deliver(events);
}

void Simulation::restart(NodeId node) {
  if (network_.node_up(node)) return;
  trace_.record(now(), network_.node_name(node), "restart");
  const auto events = network_.set_node_up(node, true);
  if (Node* n = live_adapter(node)) {
    n->start(now());
    wake(node);
  }
  deliver(events);
}

void Simulation::tcp_connected(NodeId node, ConnectionId connection) {
  if (tracing()) trace_.record(now(), network_.node_name(node), connection_label(connection, node) + " connected");
  const auto info = tcp_.info(connection);
  if (Node* n = live_adapter(node); n && info) {
    n->on_tcp_connected(now(), connection, *info);
    wake(node);
  }
}

void Simulation::tcp_accepted(NodeId node, ConnectionId connection) {
  if (tracing()) trace_.record(now(), network_.node_name(node), connection_label(connection, node) + " accepted");
  const auto info = tcp_.info(connection);
  if (Node* n = live_adapter(node); n && info) {
    n->on_tcp_accepted(now(), connection, *info);
    wake(node);
  }
}

void Simulation::tcp_bytes(NodeId node, ConnectionId connection, std::span<const uint8_t> bytes) {
  if (config_.trace_packets && tracing())
    trace_.record(now(), network_.node_name(node),
                  connection_label(connection, node) + " received " + std::to_string(bytes.size()) + " bytes");
  if (Node* n = live_adapter(node)) {
    n->on_tcp_bytes(now(), connection, bytes);
    wake(node);
  }
}

void Simulation::tcp_closed(NodeId node, ConnectionId connection, TcpCloseReason reason) {
  if (tracing())
    trace_.record(now(), network_.node_name(node),
                "tcp#" + std::to_string(connection) + " closed (" + tcp_close_reason_name(reason) + ")");
  if (Node* n = live_adapter(node)) {
    n->on_tcp_closed(now(), connection, reason);
    wake(node);
  }
}

void Simulation::datagram_received(NodeId node, ChannelId channel, std::span<const uint8_t> bytes) {
  if (config_.trace_packets && tracing())
    trace_.record(now(), network_.node_name(node),
                  "channel#" + std::to_string(channel) + " received " + std::to_string(bytes.size()) + " bytes");
  if (Node* n = live_adapter(node)) {
    n->on_datagram(now(), channel, bytes);
    wake(node);
  }
}

}  // namespace halink::sim
