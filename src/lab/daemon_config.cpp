#include "lab/daemon_config.h"

#include <fstream>
#include <set>
#include <sstream>

namespace halink::lab {

namespace {

Error unsupported(const config::RouterConfig& router, config::DaemonKind daemon, const std::string& where,
                  const std::string& what) {
  return Error{"router " + router.name + " (daemon: " + config::daemon_kind_name(daemon) + "): " + where + what +
               " cannot be expressed in the generated " + config::daemon_kind_name(daemon) +
               " configuration; run this node on halinkd or drop the setting"};
}

// The policy language both generators translate: prefix lists and family
// matches; local-pref, prepends and MED; accept, reject and next-term.
std::string unsupported_in_policy(const bgp::Policy& policy) {
  for (const bgp::PolicyTerm& term : policy.terms) {
    std::string at = "policy " + policy.name + " term " + (term.name.empty() ? "(unnamed)" : term.name) + ": ";
    const bgp::PolicyMatch& m = term.match;
    if (m.as_path_length_min || m.as_path_length_max) return at + "match on AS_PATH length";
    if (!m.as_path_contains.empty()) return at + "match on an ASN in the AS_PATH";
    if (!m.neighbor_as.empty()) return at + "match on the neighbour AS";
    if (!m.origin_as.empty()) return at + "match on the origin AS";
    if (!m.communities.empty() || !m.large_communities.empty()) return at + "match on communities";
    const bgp::PolicyActions& a = term.actions;
    if (a.strip_med) return at + "strip-med";
    if (!a.add_communities.empty() || !a.remove_communities.empty() || !a.add_large_communities.empty() ||
        !a.remove_large_communities.empty())
      return at + "community actions";
  }
  return "";
}

}  // namespace

Status check_reference_config(const config::RouterConfig& router, config::DaemonKind daemon) {
  using config::DaemonKind;
  const bool bird = daemon == DaemonKind::bird;
  if (daemon == DaemonKind::halinkd) return Status::success();
  if (!router.listen.addresses.empty() || router.listen.port != config::defaults::bgp_port)
    return unsupported(router, daemon, "", "listen addresses or port");
  if (!router.static_routes.empty()) return unsupported(router, daemon, "", "static routes");
  if (!bird && router.fib.table != config::defaults::fib_table)
    return unsupported(router, daemon, "", "fib table " + std::to_string(router.fib.table) + " (zebra installs into main)");
  if (!bird && !router.fib.install) return unsupported(router, daemon, "", "fib install: false");
  if (!bird && router.fib.keep_on_exit) return unsupported(router, daemon, "", "fib keep_on_exit");
  // BIRD merges equal eBGP paths whatever their neighbour AS (never eBGP
  // with iBGP): without multipath_relax that is only the same as halinkd
  // with one remote AS among the eBGP neighbours.
  std::set<uint32_t> remote_ases;
  for (const config::Neighbor& n : router.neighbors)
    if (n.is_ebgp(router.local_as)) remote_ases.insert(n.remote_as);
  if (bird && !router.ecmp.multipath_relax && router.ecmp.max_paths > 1 && remote_ases.size() > 1)
    return unsupported(router, daemon, "", "ECMP without multipath_relax over neighbours of different ASes");
  for (const config::Neighbor& n : router.neighbors) {
    std::string where = "neighbour " + n.name + ": ";
    if (n.bfd) {
      if (n.bfd->auth) return unsupported(router, daemon, where, "BFD authentication");
      if (n.bfd->log_only) return unsupported(router, daemon, where, "BFD log_only");
      if (n.bfd->multihop) return unsupported(router, daemon, where, "multihop BFD");
    }
    if (bird && n.hold_time.is_zero()) return unsupported(router, daemon, where, "hold_time 0");
    if (bird && (n.policy.max_prefix_ipv4 || n.policy.max_prefix_ipv6))
      return unsupported(router, daemon, where, "max_prefix");
    for (const auto* limit : {&n.policy.max_prefix_ipv4, &n.policy.max_prefix_ipv6})
      if (*limit && (*limit)->restart_after.ns() % Duration::seconds(60).ns() != 0)
        return unsupported(router, daemon, where, "max_prefix restart_after that is not whole minutes");
    for (const auto* policy : {&n.policy.import_policy, &n.policy.export_policy})
      if (*policy)
        if (std::string what = unsupported_in_policy(**policy); !what.empty())
          return unsupported(router, daemon, where, what);
  }
  return Status::success();
}

Result<std::string> read_password(const config::Neighbor& neighbor) {
  std::ifstream in(neighbor.password_file);
  if (!in) return Error{"neighbour " + neighbor.name + ": cannot read password_file " + neighbor.password_file};
  std::stringstream text;
  text << in.rdbuf();
  std::string key = text.str();
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  if (key.find('"') != std::string::npos || key.find(' ') != std::string::npos)
    return Error{"neighbour " + neighbor.name + ": the key in " + neighbor.password_file +
                 " has a space or quote, which BIRD and FRR configurations cannot carry"};
  return key;
}

}  // namespace halink::lab
