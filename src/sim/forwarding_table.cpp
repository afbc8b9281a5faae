#include "sim/forwarding_table.h"

#include <algorithm>
#include <set>

namespace halink::sim {

namespace {
std::vector<fib::NextHop> canonical(std::vector<fib::NextHop> next_hops) {
  for (auto& hop : next_hops) hop.weight = std::clamp<uint16_t>(hop.weight, 1, 256);
  std::sort(next_hops.begin(), next_hops.end());
  return next_hops;
}
}  // namespace

void ForwardingTable::changed() {
  ++version_;
  if (observer_) observer_();
}

void ForwardingTable::set_next_hops(const Prefix& prefix, std::vector<fib::NextHop> next_hops) {
  auto [it, inserted] = entries_.try_emplace(prefix);
  if (inserted) {
    if (prefix.family() == Family::ipv4) ++v4_lengths_[prefix.length()];
    else ++v6_lengths_[prefix.length()];
  }
  it->second.next_hops = std::move(next_hops);
  ++route_writes_;
  erase_if_empty(prefix);
}

void ForwardingTable::erase_if_empty(const Prefix& prefix) {
  auto it = entries_.find(prefix);
  if (it == entries_.end() || it->second.local || !it->second.next_hops.empty()) return;
  entries_.erase(it);
  if (prefix.family() == Family::ipv4) --v4_lengths_[prefix.length()];
  else --v6_lengths_[prefix.length()];
}

Status ForwardingTable::apply(std::span<const fib::RouteChange> changes) {
  if (changes.empty()) return Status::success();
  for (const auto& change : changes) set_next_hops(change.prefix, canonical(change.next_hops));
  changed();
  return Status::success();
}

Status ForwardingTable::remove_next_hop(const fib::NextHop& next_hop) {
  return remove_next_hops_if([&](const fib::NextHop& hop) { return hop.same_path(next_hop); });
}

Status ForwardingTable::remove_next_hops_via(const std::string& interface) {
  return remove_next_hops_if([&](const fib::NextHop& hop) { return hop.interface == interface; });
}

Status ForwardingTable::remove_next_hops_if(const std::function<bool(const fib::NextHop&)>& dead) {
  std::vector<Prefix> emptied;
  bool any = false;
  for (auto& [prefix, entry] : entries_) {
    auto& hops = entry.next_hops;
    const size_t before = hops.size();
    std::erase_if(hops, dead);
    if (hops.size() == before) continue;
    any = true;
    if (hops.empty() && !entry.local) emptied.push_back(prefix);
  }
  std::sort(emptied.begin(), emptied.end());
  for (const auto& prefix : emptied) erase_if_empty(prefix);
  routes_lost_ += emptied.size();
  if (any) changed();
  return Status::success();
}

std::vector<fib::FibRoute> ForwardingTable::routes() const {
  std::vector<fib::FibRoute> out;
  for (const auto& [prefix, entry] : entries_)
    if (!entry.next_hops.empty()) out.push_back(fib::FibRoute{prefix, entry.next_hops});
  std::sort(out.begin(), out.end());
  return out;
}

fib::FibStats ForwardingTable::stats() const {
  fib::FibStats stats;
  std::set<std::vector<fib::NextHop>> groups;
  std::set<std::pair<IpAddress, std::string>> hops;
  for (const auto& [prefix, entry] : entries_) {
    if (entry.next_hops.empty()) continue;
    ++stats.routes;
    groups.insert(entry.next_hops);
    for (const auto& hop : entry.next_hops) hops.emplace(hop.gateway, hop.interface);
  }
  stats.groups = groups.size();
  stats.next_hops = hops.size();
  stats.route_writes = route_writes_;
  stats.routes_lost_with_last_next_hop = routes_lost_;
  return stats;
}

void ForwardingTable::add_local(const Prefix& prefix) {
  auto [it, inserted] = entries_.try_emplace(prefix);
  if (inserted) {
    if (prefix.family() == Family::ipv4) ++v4_lengths_[prefix.length()];
    else ++v6_lengths_[prefix.length()];
  }
  it->second.local = true;
  changed();
}

void ForwardingTable::remove_local(const Prefix& prefix) {
  auto it = entries_.find(prefix);
  if (it == entries_.end() || !it->second.local) return;
  it->second.local = false;
  erase_if_empty(prefix);
  changed();
}

std::vector<Prefix> ForwardingTable::local_prefixes() const {
  std::vector<Prefix> out;
  for (const auto& [prefix, entry] : entries_)
    if (entry.local) out.push_back(prefix);
  std::sort(out.begin(), out.end());
  return out;
}

void ForwardingTable::replace_routes(std::span<const fib::FibRoute> routes) {
  std::vector<Prefix> stale;
  for (const auto& [prefix, entry] : entries_)
    if (!entry.next_hops.empty()) stale.push_back(prefix);
  for (const auto& prefix : stale) set_next_hops(prefix, {});
  for (const auto& route : routes) set_next_hops(route.prefix, canonical(route.next_hops));
  changed();
}

void ForwardingTable::clear_routes() { replace_routes({}); }

std::optional<ForwardingTable::Match> ForwardingTable::lookup(const IpAddress& destination) const {
  const bool v4 = destination.is_v4();
  for (int length = address_bits(destination.family()); length >= 0; --length) {
    if ((v4 ? v4_lengths_[length] : v6_lengths_[length]) == 0) continue;
    const Prefix candidate = Prefix::make_masked(destination, length);
    auto it = entries_.find(candidate);
    if (it == entries_.end()) continue;
    return Match{candidate, it->second.local, it->second.next_hops};
  }
  return std::nullopt;
}

}  // namespace halink::sim
