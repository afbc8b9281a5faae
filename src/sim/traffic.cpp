#include "sim/traffic.h"

#include <algorithm>

#include "sim/random.h"

namespace halink::sim {

const char* drop_reason_name(DropReason reason) {
  switch (reason) {
    case DropReason::none: return "none";
    case DropReason::node_down: return "node-down";
    case DropReason::no_route: return "no-route";
    case DropReason::unresolved_next_hop: return "unresolved-next-hop";
    case DropReason::interface_down: return "interface-down";
    case DropReason::blackhole: return "blackhole";
    case DropReason::loop: return "loop";
  }
  return "?";
}

TrafficModel::TrafficModel(Scheduler& scheduler, Network& network, TrafficConfig config)
    : scheduler_(scheduler), network_(network), config_(config) {}

TrafficModel::NodeState& TrafficModel::node_state(NodeId node) {
  while (nodes_.size() <= node) {
    NodeState state;
    state.hash_seed = mix64(nodes_.size() + 1);
    nodes_.push_back(state);
  }
  return nodes_[node];
}

const TrafficModel::NodeState* TrafficModel::find_node_state(NodeId node) const {
  return node < nodes_.size() ? &nodes_[node] : nullptr;
}

void TrafficModel::set_table(NodeId node, const ForwardingTable* table) {
  node_state(node).table = table;
  changed();
}

void TrafficModel::set_hash_seed(NodeId node, uint64_t seed) {
  node_state(node).hash_seed = seed;
  changed();
}

uint64_t TrafficModel::hash_seed(NodeId node) const {
  const NodeState* state = find_node_state(node);
  return state ? state->hash_seed : mix64(uint64_t{node} + 1);
}

void TrafficModel::set_ignore_linkdown(NodeId node, bool ignore) {
  node_state(node).ignore_linkdown = ignore;
  changed();
}

FlowId TrafficModel::add_flow(Flow flow) {
  flows_.push_back(FlowState{std::move(flow), {}, false, {}});
  changed();
  return static_cast<FlowId>(flows_.size() - 1);
}

FlowPath TrafficModel::route(const Flow& flow) const {
  FlowPath path;
  NodeId at = flow.ingress;
  std::vector<LinkId> candidates;
  std::vector<uint32_t> weights;
  for (int hop = 0; hop <= config_.max_hops; ++hop) {
    path.last_node = at;
    if (!network_.node_up(at)) {
      path.drop = DropReason::node_down;
      return path;
    }
    const NodeState* state = find_node_state(at);
    const auto match = state && state->table ? state->table->lookup(flow.tuple.destination) : std::nullopt;
    if (!match) {
      path.drop = DropReason::no_route;
      return path;
    }
    if (match->local) {
      path.delivered = true;
      return path;
    }
    candidates.clear();
    weights.clear();
    bool resolved_any = false;
    for (const auto& hop_entry : match->next_hops) {
      const auto link = resolve(at, *state, hop_entry);
      candidates.push_back(link.value_or(0));
      uint32_t weight = link ? std::clamp<uint32_t>(hop_entry.weight, 1, 256) : 0;
      resolved_any = resolved_any || link.has_value();
      if (link && state->ignore_linkdown && !network_.carrier_up(*link, at)) weight = 0;
      weights.push_back(weight);
    }
    const size_t chosen = select_by_hash_threshold(flow_hash(flow.tuple, state->hash_seed), weights);
    if (chosen == weights.size()) {
      path.drop = resolved_any ? DropReason::interface_down : DropReason::unresolved_next_hop;
      return path;
    }
    const LinkId link = candidates[chosen];
    if (network_.link_state(link) == LinkState::carrier_down || !network_.carrier_up(link, at)) {
      path.drop = DropReason::interface_down;  // only when the node does not ignore linkdown routes
      return path;
    }
    path.links.push_back(link);
    const NodeId next = network_.peer_of(link, at);
    if (!network_.link_usable(link)) {
      // Sent into the link and lost: a dead box at the far end, or a silent path.
      if (!network_.node_up(next)) {
        path.drop = DropReason::node_down;
        path.last_node = next;
      } else {
        path.drop = DropReason::blackhole;
      }
      return path;
    }
    at = next;
  }
  path.drop = DropReason::loop;
  return path;
}

std::optional<LinkId> TrafficModel::resolve(NodeId node, const NodeState& state, const fib::NextHop& next_hop) const {
  if (state.indexed_links != network_.link_count()) {
    state.by_interface.clear();
    state.by_gateway.clear();
    for (LinkId link : network_.links_of(node)) {
      const LinkEnd& mine = network_.end_of(link, node);
      if (!mine.interface.empty()) state.by_interface.emplace(mine.interface, link);
      state.by_gateway.emplace(network_.end_of(link, network_.peer_of(link, node)).address, link);
    }
    state.indexed_links = network_.link_count();
  }
  if (next_hop.interface.empty()) {
    auto it = state.by_gateway.find(next_hop.gateway);
    return it == state.by_gateway.end() ? std::nullopt : std::optional<LinkId>(it->second);
  }
  auto it = state.by_interface.find(next_hop.interface);
  return it == state.by_interface.end() ? std::nullopt : std::optional<LinkId>(it->second);
}

void TrafficModel::changed() {
  if (pending_sample_ != no_event) return;
  const int64_t interval = config_.sample_interval.ns();
  const int64_t now = scheduler_.now().ns();
  const int64_t next = interval <= 0 ? now : (now + interval - 1) / interval * interval;
  pending_sample_ = scheduler_.schedule_at(Time::from_ns(next), [this] {
    pending_sample_ = no_event;
    sample();
  });
}

void TrafficModel::integrate_to(Time t) const {
  if (t <= integrated_until_) return;
  volume_.resize(network_.link_count() * 2, 0.0);
  const double seconds = (t - integrated_until_).seconds_f();
  for (const FlowState& state : flows_) {
    NodeId at = state.flow.ingress;
    for (LinkId link : state.path.links) {
      const int direction = network_.link(link).a.node == at ? 0 : 1;
      volume_[link * 2 + direction] += state.flow.rate_bps * seconds;
      at = network_.peer_of(link, at);
    }
  }
  integrated_until_ = t;
}

void TrafficModel::sample() {
  const Time now = scheduler_.now();
  integrate_to(now);
  for (size_t i = 0; i < flows_.size(); ++i) {
    FlowState& state = flows_[i];
    FlowPath path = route(state.flow);
    const bool was_delivered = state.sampled ? state.path.delivered : true;
    if (was_delivered && !path.delivered) {
      state.outages.push_back(OutageWindow{now, Time::never(), path.drop, path.last_node});
    } else if (!was_delivered && path.delivered && !state.outages.empty()) {
      // Broken and mended within one instant: no packet could have been lost.
      if (state.outages.back().start == now) state.outages.pop_back();
      else state.outages.back().end = now;
    }
    const bool differs = !state.sampled || !(path == state.path);
    state.sampled = true;
    if (!differs) continue;
    FlowPath before = std::move(state.path);
    state.path = std::move(path);
    if (observer_) observer_(now, static_cast<FlowId>(i), before, state.path);
  }
}

Duration TrafficModel::total_outage(FlowId id) const {
  Duration total;
  const Time now = scheduler_.now();
  for (const auto& window : flows_.at(id).outages) total += (window.ongoing() ? now : window.end) - window.start;
  return total;
}

Duration TrafficModel::outage_within(FlowId id, Time from, Time to) const {
  Duration total;
  const Time now = scheduler_.now();
  for (const auto& window : flows_.at(id).outages) {
    const Time start = std::max(window.start, from);
    const Time end = std::min(window.ongoing() ? now : window.end, to);
    if (end > start) total += end - start;
  }
  return total;
}

double TrafficModel::volume(LinkId link) const {
  integrate_to(scheduler_.now());
  volume_.resize(network_.link_count() * 2, 0.0);
  return volume_[link * 2] + volume_[link * 2 + 1];
}

double TrafficModel::volume(LinkId link, NodeId from) const {
  integrate_to(scheduler_.now());
  volume_.resize(network_.link_count() * 2, 0.0);
  return volume_[link * 2 + (network_.link(link).a.node == from ? 0 : 1)];
}

double TrafficModel::current_rate(LinkId link) const {
  double rate = 0;
  for (const FlowState& state : flows_)
    if (std::find(state.path.links.begin(), state.path.links.end(), link) != state.path.links.end())
      rate += state.flow.rate_bps;
  return rate;
}

void TrafficModel::reset_volumes() {
  integrate_to(scheduler_.now());
  std::fill(volume_.begin(), volume_.end(), 0.0);
}

}  // namespace halink::sim
