// FRR 8.4 configuration (zebra, bfdd, bgpd) from a router's section
// (daemon_config.h).
#include <map>

#include "lab/daemon_config.h"

namespace halink::lab {

namespace {

std::string seconds_of(Duration d) { return std::to_string(std::max<int64_t>(d.is_zero() ? 0 : 1, d.s())); }

std::string prefix_list_entry(const bgp::PrefixListEntry& e) {
  std::string out = e.prefix.to_string();
  if (e.ge) out += " ge " + std::to_string(*e.ge);
  if (e.le) out += " le " + std::to_string(*e.le);
  return out;
}

std::string safe_name(const std::string& text) {
  std::string out;
  for (char c : text) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
  return out;
}

// A policy as a route-map: one entry per term (sequence 10, 20, ...), the
// default verdict at 65000. accept = permit, reject = deny, next-term =
// permit with `on-match next` (FRR keeps the sets and goes on).
// Prefix lists and the community list it needs are prepended to `lists`.
std::string route_map(const std::string& name, const std::optional<bgp::Policy>& policy, uint32_t local_as,
                      bool ebgp, bool honor_graceful_shutdown, std::string& lists) {
  std::string out;
  if (honor_graceful_shutdown) {
    // RFC 8326 §4: GRACEFUL_SHUTDOWN lowers LOCAL_PREF to 0.
    if (lists.find("bgp community-list standard GSHUT") == std::string::npos)
      lists += "bgp community-list standard GSHUT seq 5 permit graceful-shutdown\n";
    out += "route-map " + name + " permit 1\n match community GSHUT\n set local-preference 0\n on-match next\n";
  }
  if (!policy) {
    // No policy: RFC 8212 for eBGP (nothing passes), everything for iBGP.
    out += "route-map " + name + (ebgp ? " deny" : " permit") + " 65000\n";
    return out;
  }
  int seq = 0;
  for (const bgp::PolicyTerm& term : policy->terms) {
    seq += 10;
    const bgp::PolicyActions& a = term.actions;
    bool reject = a.verdict == bgp::PolicyVerdict::reject;
    out += "route-map " + name + (reject ? " deny " : " permit ") + std::to_string(seq) + "\n";
    std::map<Family, std::string> entries;
    for (const bgp::PrefixListEntry& e : term.match.prefixes) entries[e.prefix.family()] += prefix_list_entry(e) + "\n";
    if (entries.size() > 1)
      return "!error: term " + term.name + " of policy " + policy->name +
             " matches IPv4 and IPv6 prefixes at once (one FRR route-map entry matches one family)";
    std::optional<Family> family = term.match.family;
    for (const auto& [f, lines] : entries) {
      if (family && *family != f) continue;  // never matches: an empty IPv4 list below
      family = f;
    }
    if (!entries.empty() || term.match.family) {
      std::string list = name + "-" + std::to_string(seq);
      const char* ip = family == Family::ipv6 ? "ipv6" : "ip";
      auto found = entries.find(*family);
      if (found == entries.end()) {
        if (!entries.empty()) lists += std::string(ip) + " prefix-list " + list + " seq 5 deny any\n";
        else lists += std::string(ip) + " prefix-list " + list + " seq 5 permit any\n";
      } else {
        int entry_seq = 0;
        std::string lines = found->second;
        for (size_t at = 0; at < lines.size();) {
          size_t end = lines.find('\n', at);
          lists += std::string(ip) + " prefix-list " + list + " seq " + std::to_string(entry_seq += 5) + " permit " +
                   lines.substr(at, end - at) + "\n";
          at = end + 1;
        }
      }
      out += std::string(" match ") + ip + " address prefix-list " + list + "\n";
    }
    if (!reject) {
      if (a.set_local_pref) out += " set local-preference " + std::to_string(*a.set_local_pref) + "\n";
      if (a.set_med) out += " set metric " + std::to_string(*a.set_med) + "\n";
      std::string prepend;
      for (int i = 0; i < a.prepend_own_as; ++i) prepend += " " + std::to_string(local_as);
      if (a.prepend_asn)
        for (int i = 0; i < a.prepend_asn_count; ++i) prepend += " " + std::to_string(*a.prepend_asn);
      if (!prepend.empty()) out += " set as-path prepend" + prepend + "\n";
      if (a.verdict == bgp::PolicyVerdict::next_term) out += " on-match next\n";
    }
  }
  out += "route-map " + name +
         (policy->default_verdict == bgp::PolicyVerdict::accept ? " permit" : " deny") + " 65000\n";
  return out;
}

}  // namespace

Result<FrrConfig> frr_config(const config::RouterConfig& router) {
  if (auto s = check_reference_config(router, config::DaemonKind::frr); !s) return Error{s.message()};
  FrrConfig config;
  config.zebra = "hostname " + router.name + "\nlog stdout informational\n";
  // One BFD profile per distinct pair of timers.
  std::map<std::pair<int64_t, int>, std::string> profiles;
  for (const config::Neighbor& n : router.neighbors)
    if (n.bfd) {
      auto key = std::pair{n.bfd->interval.ms(), int{n.bfd->multiplier}};
      if (!profiles.count(key))
        profiles[key] = "halink-" + std::to_string(key.first) + "ms-x" + std::to_string(key.second);
    }
  config.bfdd = "hostname " + router.name + "\nlog stdout informational\nbfd\n";
  for (const auto& [timers, name] : profiles)
    config.bfdd += " profile " + name + "\n  detect-multiplier " + std::to_string(timers.second) +
                   "\n  receive-interval " + std::to_string(timers.first) + "\n  transmit-interval " +
                   std::to_string(timers.first) + "\n exit\n";
  config.bfdd += "exit\n";

  std::string lists, maps, neighbors, families;
  for (const config::Neighbor& n : router.neighbors) {
    const std::string a = " neighbor " + n.address.to_string();
    bool ebgp = n.is_ebgp(router.local_as);
    std::string base = safe_name(n.name);
    maps += route_map(base + "-in", n.policy.import_policy, router.local_as, ebgp, n.policy.honor_graceful_shutdown, lists);
    maps += route_map(base + "-out", n.policy.export_policy, router.local_as, ebgp, false, lists);
    if (size_t at = maps.find("!error: "); at != std::string::npos)
      return Error{"router " + router.name + " (daemon: frr): neighbour " + n.name + ": " +
                   maps.substr(at + 8, maps.find('\n', at) - at - 8)};
    neighbors += a + " remote-as " + std::to_string(n.remote_as) + "\n";
    if (!n.description.empty()) neighbors += a + " description " + n.description + "\n";
    if (n.port != config::defaults::bgp_port) neighbors += a + " port " + std::to_string(n.port) + "\n";
    if (n.update_source) neighbors += a + " update-source " + n.update_source->to_string() + "\n";
    neighbors += a + " timers " + seconds_of(n.keepalive) + " " + seconds_of(n.hold_time) + "\n";
    neighbors += a + " timers connect " + seconds_of(n.connect_retry) + "\n";
    // halinkd sends an UPDATE as soon as the route changes.
    neighbors += a + " advertisement-interval 0\n";
    if (n.passive) neighbors += a + " passive\n";
    if (n.shutdown) neighbors += a + " shutdown\n";
    if (n.ebgp_multihop) neighbors += a + " ebgp-multihop " + std::to_string(*n.ebgp_multihop) + "\n";
    if (n.ttl_security) neighbors += a + " ttl-security hops 1\n";
    if (!n.password_file.empty()) {
      auto key = read_password(n);
      if (!key) return Error{"router " + router.name + ": " + key.message()};
      neighbors += a + " password " + *key + "\n";
    }
    if (n.bfd)
      neighbors += a + " bfd\n" + a + " bfd profile " + profiles[{n.bfd->interval.ms(), int{n.bfd->multiplier}}] + "\n";
  }
  for (Family family : {Family::ipv4, Family::ipv6}) {
    config::BgpFamily bgp_family = family == Family::ipv4 ? config::BgpFamily::ipv4_unicast : config::BgpFamily::ipv6_unicast;
    std::string body;
    for (const Prefix& p : router.networks)
      if (p.family() == family) body += "  network " + p.to_string() + "\n";
    for (const config::Neighbor& n : router.neighbors) {
      if (!n.has_family(bgp_family)) continue;
      const std::string a = "  neighbor " + n.address.to_string();
      const std::string base = safe_name(n.name);
      body += a + " activate\n" + a + " route-map " + base + "-in in\n" + a + " route-map " + base + "-out out\n";
      if (n.soft_reconfiguration_inbound) body += a + " soft-reconfiguration inbound\n";
      if (n.next_hop_self) body += a + " next-hop-self\n";
      if (const auto& limit = n.policy.max_prefix(family)) {
        body += a + " maximum-prefix " + std::to_string(limit->limit) + " " +
                std::to_string(limit->warning_threshold_percent);
        if (limit->warning_only) body += " warning-only";
        else if (!limit->restart_after.is_zero()) body += " restart " + std::to_string(limit->restart_after.s() / 60);
        body += "\n";
      }
    }
    if (body.empty()) continue;
    families += std::string(" address-family ") + (family == Family::ipv4 ? "ipv4" : "ipv6") + " unicast\n" +
                "  maximum-paths " + std::to_string(router.ecmp.max_paths) + "\n" + body + " exit-address-family\n";
  }
  config.bgpd = "frr defaults traditional\nhostname " + router.name + "\nlog stdout informational\n" + lists + maps +
                "router bgp " + std::to_string(router.local_as) + "\n bgp router-id " + router.router_id.to_string() +
                "\n no bgp default ipv4-unicast\n no bgp network import-check\n" +
                (router.ecmp.multipath_relax ? " bgp bestpath as-path multipath-relax\n" : "") + neighbors + families +
                "exit\n";
  return config;
}

}  // namespace halink::lab
