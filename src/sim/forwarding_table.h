// One simulated node's forwarding table: what its kernel would forward by.
//
// It is a halink::fib::Fib, so a node adapter can hand it the speaker's
// RouteChange values directly; an adapter that keeps another Fib (the
// in-memory FIB) mirrors it here with replace_routes(fib.routes()).
//
// Model assumptions:
// - Longest-prefix match over one table per node; a prefix holds either
//   next hops (from BGP or static routes) or is local (a connected site
//   prefix: traffic for it has arrived). Local wins over next hops on the
//   same prefix, as a connected route would in the main table.
// - Next hops are kept sorted (operator<=>) so that a flow's choice does not
//   depend on the order a speaker happened to list them in; weights 0 and
//   above 256 are clamped as the kernel does (fib::NextHop).
// - Writes never fail: this table models a kernel that accepted them.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/ip.h"
#include "fib/route.h"

namespace halink::sim {

class ForwardingTable final : public fib::Fib {
public:
  struct Match {
    Prefix prefix;
    bool local = false;
    std::span<const fib::NextHop> next_hops;  // valid until the next write
  };

  // fib::Fib. (Written without `override` while fib::Fib gains
  // remove_next_hops_via(): this compiles against the interface with and
  // without it; put `override` back once it has landed.)
  Status apply(std::span<const fib::RouteChange> changes);
  Status remove_next_hop(const fib::NextHop& next_hop);
  // Only next hops that name the interface; a gateway-only next hop is not
  // resolved here (the traffic model resolves it against the topology).
  Status remove_next_hops_via(const std::string& interface);
  Status retry_failed() { return Status::success(); }
  std::vector<fib::FibRoute> routes() const;  // sorted by prefix; local prefixes not included
  fib::FibStats stats() const;

  void add_local(const Prefix& prefix);
  void remove_local(const Prefix& prefix);
  std::vector<Prefix> local_prefixes() const;  // sorted
  // Makes the routed part of the table exactly `routes` (local prefixes stay).
  void replace_routes(std::span<const fib::FibRoute> routes);
  // A reboot: every route gone, local prefixes stay (they come with the interfaces).
  void clear_routes();

  std::optional<Match> lookup(const IpAddress& destination) const;
  // Increases on every change; the observer is told after each write.
  uint64_t version() const { return version_; }
  void set_observer(std::function<void()> observer) { observer_ = std::move(observer); }

private:
  struct Entry {
    bool local = false;
    std::vector<fib::NextHop> next_hops;
  };
  void set_next_hops(const Prefix& prefix, std::vector<fib::NextHop> next_hops);
  Status remove_next_hops_if(const std::function<bool(const fib::NextHop&)>& dead);
  void erase_if_empty(const Prefix& prefix);
  void changed();

  std::unordered_map<Prefix, Entry> entries_;
  // Number of entries per prefix length, per family: lookups try only the
  // lengths that exist, longest first.
  std::array<uint32_t, 33> v4_lengths_{};
  std::array<uint32_t, 129> v6_lengths_{};
  uint64_t version_ = 0;
  uint64_t route_writes_ = 0;
  uint64_t routes_lost_ = 0;
  std::function<void()> observer_;
};

}  // namespace halink::sim
