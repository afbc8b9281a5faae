// Adj-RIB-In of one peer (RFC 4271 §3.2): the routes it advertised to us.
//
// Post-policy routes are not copied here: they are the peer's paths in the
// Loc-RIB candidate lists (see loc_rib.h), and this class is the per-peer
// view of them — of its current session's paths: stale paths of a session
// that went down and are still being withdrawn are not part of it. What it stores itself is the optional pre-policy copy: with
// soft reconfiguration inbound the routes as received are kept, so a changed
// import policy can be re-applied without a ROUTE-REFRESH (RFC 2918); that
// copy costs memory and is off by default.
#pragma once

#include <cstddef>
#include <vector>

#include "bgp/rib/attribute_store.h"
#include "bgp/rib/loc_rib.h"
#include "bgp/rib/peer.h"
#include "bgp/rib/prefix_map.h"

namespace halink::bgp {

class AdjRibIn {
public:
  AdjRibIn(const LocRib& rib, PeerId peer, bool keep_pre_policy = false)
      : rib_(rib), peer_(peer), keep_pre_policy_(keep_pre_policy) {}

  PeerId peer() const { return peer_; }
  bool keeps_pre_policy() const { return keep_pre_policy_; }

  // Post-policy: the peer's path to `prefix`, or nullptr.
  const AttrSetRef* find(const Prefix& prefix) const {
    const PathList* list = rib_.find(prefix);
    if (!list) return nullptr;
    for (const Path& path : *list)
      if (path.peer == peer_ && rib_.is_current(path)) return &path.attributes;
    return nullptr;
  }
  size_t size(Family family) const { return rib_.path_count(peer_, family); }
  size_t size() const { return size(Family::ipv4) + size(Family::ipv6); }

  // visit(const Prefix&, const AttrSetRef&) for each post-policy route; a
  // scan of the Loc-RIB, for `show` and route refresh, not per UPDATE.
  template <class Visit>
  void for_each(Visit&& visit) const {
    rib_.for_each([&](const Prefix& prefix, const PathList& list) {
      for (const Path& path : list)
        if (path.peer == peer_ && rib_.is_current(path)) visit(prefix, path.attributes);
    });
  }
  // The prefixes the peer has, as a snapshot. (A session that went down is
  // withdrawn through DecisionProcess::begin_peer_withdrawal() instead, which
  // needs no snapshot.)
  std::vector<Prefix> prefixes() const {
    std::vector<Prefix> out;
    out.reserve(size());
    for_each([&](const Prefix& prefix, const AttrSetRef&) { out.push_back(prefix); });
    return out;
  }

  // Pre-policy copy; these are no-ops unless keeps_pre_policy().
  void update_pre_policy(const Prefix& prefix, const AttrSetRef& attributes) {
    if (keep_pre_policy_) *pre_policy_.find_or_insert(prefix).first = attributes;
  }
  void withdraw_pre_policy(const Prefix& prefix) {
    if (keep_pre_policy_) pre_policy_.erase(prefix);
  }
  const AttrSetRef* find_pre_policy(const Prefix& prefix) const { return pre_policy_.find(prefix); }
  size_t pre_policy_size() const { return pre_policy_.size(); }
  template <class Visit>
  void for_each_pre_policy(Visit&& visit) const {
    pre_policy_.for_each([&](const Prefix& p, AttrSetRef& a) { visit(p, static_cast<const AttrSetRef&>(a)); });
  }
  // The session went down (RFC 4271 §8.2.2); post-policy paths leave the
  // Loc-RIB through DecisionProcess::withdraw.
  void clear_pre_policy() { pre_policy_.clear(); }
  size_t index_bytes() const { return pre_policy_.memory_bytes(); }

private:
  const LocRib& rib_;
  PeerId peer_;
  bool keep_pre_policy_;
  PrefixMap<AttrSetRef> pre_policy_;
};

}  // namespace halink::bgp
