// Adj-RIB-In of one peer (RFC 4271 §3.2): the routes it advertised to us.
//
// The main table holds the routes as they came out of import policy
// (post-policy), which is what the Loc-RIB and max-prefix count. With soft
// reconfiguration inbound the routes as received (pre-policy) are kept too,
// so a changed import policy can be re-applied without a ROUTE-REFRESH
// (RFC 2918); that copy costs memory and is off by default.
#pragma once

#include <cstddef>

#include "bgp/rib/attribute_store.h"
#include "bgp/rib/peer.h"
#include "bgp/rib/prefix_map.h"

namespace halink::bgp {

class AdjRibIn {
public:
  explicit AdjRibIn(PeerId peer, bool keep_pre_policy = false)
      : peer_(peer), keep_pre_policy_(keep_pre_policy) {}

  PeerId peer() const { return peer_; }
  bool keeps_pre_policy() const { return keep_pre_policy_; }

  // Stores the post-policy route; false when it was already there unchanged
  // (a duplicate announcement, nothing downstream needs to run).
  bool update(const Prefix& prefix, const AttrSetRef& attributes) {
    auto [slot, inserted] = post_policy_.find_or_insert(prefix);
    if (!inserted && *slot == attributes) return false;
    *slot = attributes;
    return true;
  }
  // False when the prefix was not there.
  bool withdraw(const Prefix& prefix) { return post_policy_.erase(prefix); }
  const AttrSetRef* find(const Prefix& prefix) const { return post_policy_.find(prefix); }
  size_t size() const { return post_policy_.size(); }
  size_t size(Family family) const { return post_policy_.size(family); }

  // visit(const Prefix&, const AttrSetRef&), post-policy routes.
  template <class Visit>
  void for_each(Visit&& visit) const {
    post_policy_.for_each([&](const Prefix& p, AttrSetRef& a) { visit(p, static_cast<const AttrSetRef&>(a)); });
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

  size_t index_bytes() const { return post_policy_.memory_bytes() + pre_policy_.memory_bytes(); }
  // The session went down: every route of the peer is gone (RFC 4271 §8.2.2).
  void clear() {
    post_policy_.clear();
    pre_policy_.clear();
  }

private:
  PeerId peer_;
  bool keep_pre_policy_;
  PrefixMap<AttrSetRef> post_policy_;
  PrefixMap<AttrSetRef> pre_policy_;
};

}  // namespace halink::bgp
