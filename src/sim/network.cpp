#include "sim/network.h"

#include <algorithm>
#include <cassert>

namespace halink::sim {

const char* link_state_name(LinkState state) {
  switch (state) {
    case LinkState::up: return "up";
    case LinkState::carrier_down: return "carrier-down";
    case LinkState::blackhole: return "blackhole";
  }
  return "?";
}

Path Path::reversed() const {
  Path path{to, from, links};
  std::reverse(path.links.begin(), path.links.end());
  return path;
}

NodeId Network::add_node(std::string name) {
  nodes_.push_back(NodeEntry{std::move(name)});
  return static_cast<NodeId>(nodes_.size() - 1);
}

UnderlayId Network::add_underlay(std::string name, uint64_t capacity_bps) {
  underlays_.push_back(UnderlayEntry{std::move(name), capacity_bps});
  return static_cast<UnderlayId>(underlays_.size() - 1);
}

Result<LinkId> Network::add_link(LinkSpec spec) {
  if (spec.a.node >= nodes_.size() || spec.b.node >= nodes_.size())
    return Error{"link " + spec.name + ": unknown node"};
  if (spec.a.node == spec.b.node) return Error{"link " + spec.name + ": both ends on node " + node_name(spec.a.node)};
  if (spec.underlay && *spec.underlay >= underlays_.size()) return Error{"link " + spec.name + ": unknown underlay"};
  if (find_link(spec.name)) return Error{"link " + spec.name + ": name already used"};
  for (const LinkEnd* end : {&spec.a, &spec.b}) {
    if (!end->interface.empty() && link_by_interface(end->node, end->interface))
      return Error{"link " + spec.name + ": interface " + end->interface + " already used on " + node_name(end->node)};
  }
  links_.push_back(LinkEntry{std::move(spec)});
  return static_cast<LinkId>(links_.size() - 1);
}

std::optional<NodeId> Network::find_node(std::string_view name) const {
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].name == name) return static_cast<NodeId>(i);
  return std::nullopt;
}

std::optional<LinkId> Network::find_link(std::string_view name) const {
  for (size_t i = 0; i < links_.size(); ++i)
    if (links_[i].spec.name == name) return static_cast<LinkId>(i);
  return std::nullopt;
}

std::optional<UnderlayId> Network::find_underlay(std::string_view name) const {
  for (size_t i = 0; i < underlays_.size(); ++i)
    if (underlays_[i].name == name) return static_cast<UnderlayId>(i);
  return std::nullopt;
}

std::vector<LinkId> Network::links_of(NodeId node) const {
  std::vector<LinkId> out;
  for (size_t i = 0; i < links_.size(); ++i)
    if (links_[i].spec.a.node == node || links_[i].spec.b.node == node) out.push_back(static_cast<LinkId>(i));
  return out;
}

std::vector<LinkId> Network::tunnels_over(UnderlayId underlay) const {
  std::vector<LinkId> out;
  for (size_t i = 0; i < links_.size(); ++i)
    if (links_[i].spec.underlay == underlay) out.push_back(static_cast<LinkId>(i));
  return out;
}

bool Network::link_usable(LinkId link) const {
  const LinkEntry& entry = links_.at(link);
  if (entry.state != LinkState::up) return false;
  if (entry.spec.underlay && !underlays_[*entry.spec.underlay].up) return false;
  return nodes_[entry.spec.a.node].up && nodes_[entry.spec.b.node].up;
}

bool Network::carrier_up(LinkId link, NodeId node) const {
  const LinkEntry& entry = links_.at(link);
  if (!nodes_.at(node).up || entry.state == LinkState::carrier_down) return false;
  if (entry.spec.carrier_follows_peer && !nodes_[peer_of(link, node)].up) return false;
  return true;
}

NodeId Network::peer_of(LinkId link, NodeId node) const {
  const LinkSpec& spec = links_.at(link).spec;
  assert(spec.a.node == node || spec.b.node == node);
  return spec.a.node == node ? spec.b.node : spec.a.node;
}

const LinkEnd& Network::end_of(LinkId link, NodeId node) const {
  const LinkSpec& spec = links_.at(link).spec;
  assert(spec.a.node == node || spec.b.node == node);
  return spec.a.node == node ? spec.a : spec.b;
}

std::optional<LinkId> Network::link_by_interface(NodeId node, std::string_view interface) const {
  for (size_t i = 0; i < links_.size(); ++i) {
    const LinkSpec& spec = links_[i].spec;
    if ((spec.a.node == node && spec.a.interface == interface) || (spec.b.node == node && spec.b.interface == interface))
      return static_cast<LinkId>(i);
  }
  return std::nullopt;
}

std::optional<LinkId> Network::link_to_gateway(NodeId node, const IpAddress& gateway) const {
  for (size_t i = 0; i < links_.size(); ++i) {
    const LinkSpec& spec = links_[i].spec;
    if ((spec.a.node == node && spec.b.address == gateway) || (spec.b.node == node && spec.a.address == gateway))
      return static_cast<LinkId>(i);
  }
  return std::nullopt;
}

Result<Path> Network::make_path(NodeId from, std::vector<LinkId> links) const {
  if (from >= nodes_.size()) return Error{"path from an unknown node"};
  if (links.empty()) return Error{"path from " + node_name(from) + " has no links"};
  NodeId at = from;
  for (LinkId link : links) {
    if (link >= links_.size()) return Error{"path from " + node_name(from) + ": unknown link"};
    const LinkSpec& spec = links_[link].spec;
    if (spec.a.node != at && spec.b.node != at)
      return Error{"path from " + node_name(from) + ": link " + spec.name + " does not touch " + node_name(at)};
    at = peer_of(link, at);
  }
  if (at == from) return Error{"path from " + node_name(from) + " returns to itself"};
  return Path{from, at, std::move(links)};
}

Path Network::direct_path(NodeId from, LinkId link) const { return Path{from, peer_of(link, from), {link}}; }

bool Network::path_usable(const Path& path) const {
  return std::all_of(path.links.begin(), path.links.end(), [&](LinkId link) { return link_usable(link); });
}

Duration Network::path_latency(const Path& path) const {
  Duration total;
  for (LinkId link : path.links) total += links_.at(link).spec.latency;
  return total;
}

uint64_t Network::path_epoch(const Path& path) const {
  uint64_t sum = 0;
  for (LinkId link : path.links) sum += links_.at(link).failure_epoch;
  return sum;
}

Time Network::transmit(const Path& path, size_t wire_bytes, Time now) {
  Time at = now;
  NodeId hop_from = path.from;
  for (LinkId link : path.links) {
    LinkEntry& entry = links_.at(link);
    const int direction = entry.spec.a.node == hop_from ? 0 : 1;
    Time start = std::max(at, entry.busy_until[direction]);
    Duration serialisation;
    if (entry.spec.capacity_bps > 0) {
      // Rounded up to the next nanosecond: a packet never takes zero time on a finite link.
      const uint64_t bits = static_cast<uint64_t>(wire_bytes) * 8;
      const uint64_t ns = (bits * 1'000'000'000ULL + entry.spec.capacity_bps - 1) / entry.spec.capacity_bps;
      serialisation = Duration::nanoseconds(static_cast<int64_t>(ns));
    }
    entry.busy_until[direction] = start + serialisation;
    at = entry.busy_until[direction] + entry.spec.latency;
    hop_from = peer_of(link, hop_from);
  }
  return at;
}

Network::Snapshot Network::snapshot() const {
  Snapshot s;
  s.usable.reserve(links_.size());
  s.carrier.reserve(links_.size() * 2);
  for (size_t i = 0; i < links_.size(); ++i) {
    const auto link = static_cast<LinkId>(i);
    s.usable.push_back(link_usable(link));
    s.carrier.push_back(carrier_up(link, links_[i].spec.a.node));
    s.carrier.push_back(carrier_up(link, links_[i].spec.b.node));
  }
  return s;
}

std::vector<InterfaceEvent> Network::settle(const Snapshot& before) {
  std::vector<InterfaceEvent> events;
  for (size_t i = 0; i < links_.size(); ++i) {
    const auto link = static_cast<LinkId>(i);
    if (before.usable[i] && !link_usable(link)) ++links_[i].failure_epoch;
    const NodeId ends[2] = {links_[i].spec.a.node, links_[i].spec.b.node};
    for (int e = 0; e < 2; ++e) {
      const bool now_up = carrier_up(link, ends[e]);
      // A node that is down hears nothing; a node coming up reads its
      // interfaces' state when it starts instead.
      if (static_cast<bool>(before.carrier[2 * i + e]) != now_up && nodes_[ends[e]].up)
        events.push_back(InterfaceEvent{ends[e], link, now_up});
    }
  }
  for (auto& observer : observers_) observer();
  return events;
}

std::vector<InterfaceEvent> Network::set_link_state(LinkId link, LinkState state) {
  const Snapshot before = snapshot();
  links_.at(link).state = state;
  return settle(before);
}

std::vector<InterfaceEvent> Network::set_underlay_up(UnderlayId underlay, bool up) {
  const Snapshot before = snapshot();
  underlays_.at(underlay).up = up;
  return settle(before);
}

std::vector<InterfaceEvent> Network::set_node_up(NodeId node, bool up) {
  const Snapshot before = snapshot();
  NodeEntry& entry = nodes_.at(node);
  if (up && !entry.up) ++entry.incarnation;
  entry.up = up;
  std::vector<InterfaceEvent> events = settle(before);
  // The restarted node itself learns its interfaces at start, not as events.
  std::erase_if(events, [&](const InterfaceEvent& e) { return e.node == node; });
  return events;
}

}  // namespace halink::sim
