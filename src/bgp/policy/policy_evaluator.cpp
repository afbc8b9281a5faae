#include "bgp/policy/policy_evaluator.h"

#include <algorithm>

namespace halink::bgp {
namespace {

template <class T>
bool contains(const std::vector<T>& values, const T& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

template <class T>
bool shares_any(const std::vector<T>& wanted, const std::vector<T>& present) {
  return std::any_of(wanted.begin(), wanted.end(), [&](const T& w) { return contains(present, w); });
}

// The attributes as the policy currently sees them, copied on first change.
class Working {
public:
  explicit Working(const PathAttributes& input) : input_(input) {}
  const PathAttributes& read() const { return copy_ ? *copy_ : input_; }
  PathAttributes& write() {
    if (!copy_) copy_ = input_;
    return *copy_;
  }
  std::optional<PathAttributes> take() { return std::move(copy_); }

private:
  const PathAttributes& input_;
  std::optional<PathAttributes> copy_;
};

void apply_actions(const PolicyActions& actions, const PolicyContext& context, Working& attrs) {
  if (actions.set_local_pref && attrs.read().local_pref != actions.set_local_pref)
    attrs.write().local_pref = actions.set_local_pref;
  if (actions.strip_med && attrs.read().med && !actions.set_med) attrs.write().med.reset();
  if (actions.set_med && attrs.read().med != actions.set_med) attrs.write().med = actions.set_med;
  // Prepends: the given ASN lands closest to the origin, our own AS in front
  // of it, as if each had been added by the AS that owns it.
  if (actions.prepend_asn && actions.prepend_asn_count > 0) {
    PathAttributes& w = attrs.write();
    if (!w.as_path) w.as_path = AsPath{};
    w.as_path->prepend(*actions.prepend_asn, actions.prepend_asn_count);
  }
  if (actions.prepend_own_as > 0) {
    PathAttributes& w = attrs.write();
    if (!w.as_path) w.as_path = AsPath{};
    w.as_path->prepend(context.local_as, actions.prepend_own_as);
  }
  if (shares_any(actions.remove_communities, attrs.read().communities)) {
    auto& c = attrs.write().communities;
    c.erase(std::remove_if(c.begin(), c.end(), [&](uint32_t v) { return contains(actions.remove_communities, v); }),
            c.end());
  }
  for (uint32_t v : actions.add_communities)
    if (!contains(attrs.read().communities, v)) attrs.write().communities.push_back(v);
  if (shares_any(actions.remove_large_communities, attrs.read().large_communities)) {
    auto& c = attrs.write().large_communities;
    c.erase(std::remove_if(c.begin(), c.end(),
                           [&](const LargeCommunity& v) { return contains(actions.remove_large_communities, v); }),
            c.end());
  }
  for (const LargeCommunity& v : actions.add_large_communities)
    if (!contains(attrs.read().large_communities, v)) attrs.write().large_communities.push_back(v);
}

PolicyResult finish(bool accepted, PolicyReason reason, Working& attrs) {
  PolicyResult result;
  result.accepted = accepted;
  result.reason = reason;
  if (accepted) result.modified = attrs.take();
  return result;
}

PolicyResult run_terms(const Policy& policy, const Prefix& prefix, const PolicyContext& context, Working& attrs) {
  for (const PolicyTerm& term : policy.terms) {
    if (!policy_matches(term.match, prefix, attrs.read())) continue;
    switch (term.actions.verdict) {
      case PolicyVerdict::reject:
        return finish(false, PolicyReason::term_reject, attrs);
      case PolicyVerdict::accept:
        apply_actions(term.actions, context, attrs);
        return finish(true, PolicyReason::term_accept, attrs);
      case PolicyVerdict::next_term:
        apply_actions(term.actions, context, attrs);
        break;
    }
  }
  const bool accept = policy.default_verdict == PolicyVerdict::accept;
  return finish(accept, accept ? PolicyReason::default_accept : PolicyReason::default_reject, attrs);
}

}  // namespace

const char* policy_reason_name(PolicyReason reason) {
  switch (reason) {
    case PolicyReason::term_accept: return "accepted by a term";
    case PolicyReason::term_reject: return "rejected by a term";
    case PolicyReason::default_accept: return "accepted by the policy default";
    case PolicyReason::default_reject: return "rejected by the policy default";
    case PolicyReason::no_policy: return "no policy (iBGP): accepted";
    case PolicyReason::rfc8212_no_policy: return "no policy for an eBGP neighbour: rejected (RFC 8212)";
  }
  return "?";
}

bool policy_matches(const PolicyMatch& match, const Prefix& prefix, const PathAttributes& attributes) {
  if (match.family && *match.family != prefix.family()) return false;
  if (!match.prefixes.empty() &&
      std::none_of(match.prefixes.begin(), match.prefixes.end(),
                   [&](const PrefixListEntry& e) { return e.matches(prefix); }))
    return false;
  static const AsPath no_path;
  const AsPath& path = attributes.as_path ? *attributes.as_path : no_path;
  if (match.as_path_length_min || match.as_path_length_max) {
    const size_t length = path.decision_length();
    if (match.as_path_length_min && length < *match.as_path_length_min) return false;
    if (match.as_path_length_max && length > *match.as_path_length_max) return false;
  }
  if (!match.as_path_contains.empty() &&
      std::none_of(match.as_path_contains.begin(), match.as_path_contains.end(),
                   [&](uint32_t asn) { return path.contains(asn); }))
    return false;
  if (!match.neighbor_as.empty() && !contains(match.neighbor_as, path.neighbor_as())) return false;
  if (!match.origin_as.empty() && !contains(match.origin_as, path.origin_as())) return false;
  if (!match.communities.empty() && !shares_any(match.communities, attributes.communities)) return false;
  if (!match.large_communities.empty() && !shares_any(match.large_communities, attributes.large_communities))
    return false;
  return true;
}

PolicyResult evaluate_policy(const Policy& policy, const Prefix& prefix, const PathAttributes& attributes,
                             const PolicyContext& context) {
  Working attrs(attributes);
  return run_terms(policy, prefix, context, attrs);
}

bool rfc8212_blocks_import(const NeighborPolicy& neighbor, bool ebgp) {
  return ebgp && !neighbor.import_policy;
}
bool rfc8212_blocks_export(const NeighborPolicy& neighbor, bool ebgp) {
  return ebgp && !neighbor.export_policy;
}

PolicyResult import_route(const NeighborPolicy& neighbor, const PolicyContext& context, const Prefix& prefix,
                          const PathAttributes& attributes) {
  Working attrs(attributes);
  if (rfc8212_blocks_import(neighbor, context.ebgp))
    return finish(false, PolicyReason::rfc8212_no_policy, attrs);
  if (context.ebgp && attrs.read().local_pref) attrs.write().local_pref.reset();
  PolicyResult result = neighbor.import_policy ? run_terms(*neighbor.import_policy, prefix, context, attrs)
                                               : finish(true, PolicyReason::no_policy, attrs);
  if (result.accepted && neighbor.honor_graceful_shutdown) {
    const PathAttributes& now = result.attributes(attributes);
    if (contains(now.communities, community::graceful_shutdown) && now.local_pref != 0u) {
      if (!result.modified) result.modified = attributes;
      result.modified->local_pref = 0;  // RFC 8326 §4.1
    }
  }
  return result;
}

bool import_depends_on_prefix(const NeighborPolicy& neighbor) {
  if (!neighbor.import_policy) return false;
  // The RFC 8212 default, the eBGP LOCAL_PREF removal, every action and the
  // RFC 8326 step read only the attributes and the neighbour.
  return std::any_of(neighbor.import_policy->terms.begin(), neighbor.import_policy->terms.end(),
                     [](const PolicyTerm& term) { return term.match.family || !term.match.prefixes.empty(); });
}

PolicyResult export_route(const NeighborPolicy& neighbor, const PolicyContext& context, const Prefix& prefix,
                          const PathAttributes& attributes) {
  Working attrs(attributes);
  if (rfc8212_blocks_export(neighbor, context.ebgp))
    return finish(false, PolicyReason::rfc8212_no_policy, attrs);
  if (!neighbor.export_policy) return finish(true, PolicyReason::no_policy, attrs);
  return run_terms(*neighbor.export_policy, prefix, context, attrs);
}

}  // namespace halink::bgp
