#include "config/policy_parser.h"

#include <algorithm>
#include <sstream>

namespace halink::config {

namespace {

std::optional<uint64_t> parse_number(std::string_view text, uint64_t max) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > max) return std::nullopt;
  return value;
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

std::vector<uint32_t> read_asn_list(ErrorSink& sink, const Located& where) {
  std::vector<uint32_t> out;
  for (const Located& element : read_list(sink, where, /*allow_scalar=*/true))
    if (auto asn = read_asn(sink, element)) out.push_back(*asn);
  return out;
}

std::vector<uint32_t> read_community_list(ErrorSink& sink, const Located& where) {
  std::vector<uint32_t> out;
  for (const Located& element : read_list(sink, where, true))
    if (auto c = read_community(sink, element)) out.push_back(*c);
  return out;
}

std::vector<bgp::LargeCommunity> read_large_community_list(ErrorSink& sink, const Located& where) {
  std::vector<bgp::LargeCommunity> out;
  for (const Located& element : read_list(sink, where, true))
    if (auto c = read_large_community(sink, element)) out.push_back(*c);
  return out;
}

std::optional<bgp::PolicyVerdict> read_verdict(ErrorSink& sink, const Located& where, bool allow_next_term) {
  std::vector<std::string> choices = {"accept", "reject"};
  if (allow_next_term) choices.push_back("next-term");
  auto text = read_choice(sink, where, choices);
  if (!text) return std::nullopt;
  if (*text == "accept") return bgp::PolicyVerdict::accept;
  if (*text == "reject") return bgp::PolicyVerdict::reject;
  return bgp::PolicyVerdict::next_term;
}

bgp::PolicyMatch read_match(ErrorSink& sink, const Located& where) {
  bgp::PolicyMatch match;
  MapReader map(sink, where,
                {"family", "prefixes", "as_path_length_min", "as_path_length_max", "as_path_contains",
                 "neighbor_as", "origin_as", "communities", "large_communities"});
  if (auto v = map.get("family")) {
    if (auto f = read_choice(sink, *v, {"ipv4", "ipv6"})) match.family = *f == "ipv4" ? Family::ipv4 : Family::ipv6;
  }
  if (auto v = map.get("prefixes")) {
    for (const Located& element : read_list(sink, *v, true)) {
      auto entry = read_prefix_list_entry(sink, element);
      if (!entry) continue;
      if (match.family && entry->prefix.family() != *match.family) {
        sink.error(element.mark, element.path,
                   entry->prefix.to_string() + " can never match: the term matches family " +
                       family_name(*match.family) + " only");
        continue;
      }
      match.prefixes.push_back(*entry);
    }
  }
  if (auto v = map.get("as_path_length_min")) {
    if (auto n = read_uint(sink, *v, 0, 1000)) match.as_path_length_min = static_cast<uint32_t>(*n);
  }
  if (auto v = map.get("as_path_length_max")) {
    if (auto n = read_uint(sink, *v, 0, 1000)) match.as_path_length_max = static_cast<uint32_t>(*n);
  }
  if (match.as_path_length_min && match.as_path_length_max &&
      *match.as_path_length_min > *match.as_path_length_max) {
    auto v = map.get("as_path_length_max");
    sink.error(v->mark, v->path, "must not be less than as_path_length_min (" +
                                     std::to_string(*match.as_path_length_min) + ")");
  }
  if (auto v = map.get("as_path_contains")) match.as_path_contains = read_asn_list(sink, *v);
  if (auto v = map.get("neighbor_as")) match.neighbor_as = read_asn_list(sink, *v);
  if (auto v = map.get("origin_as")) match.origin_as = read_asn_list(sink, *v);
  if (auto v = map.get("communities")) match.communities = read_community_list(sink, *v);
  if (auto v = map.get("large_communities")) match.large_communities = read_large_community_list(sink, *v);
  return match;
}

// The `set:` of a term; the verdict comes from the term's `action:`.
bgp::PolicyActions read_set(ErrorSink& sink, const Located& where) {
  bgp::PolicyActions actions;
  MapReader map(sink, where,
                {"local_pref", "prepend", "prepend_asn", "prepend_asn_count", "med", "strip_med",
                 "add_communities", "remove_communities", "add_large_communities", "remove_large_communities"});
  if (auto v = map.get("local_pref")) {
    if (auto n = read_uint(sink, *v, 0, 4294967295)) actions.set_local_pref = static_cast<uint32_t>(*n);
  }
  // An AS_PATH segment holds at most 255 ASNs (RFC 4271 §4.3); more than a
  // few prepends is never needed to lose a tie, so 32 is a generous bound.
  if (auto v = map.get("prepend")) {
    if (auto n = read_uint(sink, *v, 1, 32, "times")) actions.prepend_own_as = static_cast<uint8_t>(*n);
  }
  if (auto v = map.get("prepend_asn")) {
    if (auto asn = read_asn(sink, *v)) actions.prepend_asn = *asn;
  }
  if (auto v = map.get("prepend_asn_count")) {
    if (!map.has("prepend_asn")) sink.error(v->mark, v->path, "needs prepend_asn (the AS number to prepend)");
    if (auto n = read_uint(sink, *v, 1, 32, "times")) actions.prepend_asn_count = static_cast<uint8_t>(*n);
  }
  if (auto v = map.get("med")) {
    if (auto n = read_uint(sink, *v, 0, 4294967295)) actions.set_med = static_cast<uint32_t>(*n);
  }
  if (auto v = map.get("strip_med")) {
    if (auto b = read_bool(sink, *v)) actions.strip_med = *b;
  }
  if (auto v = map.get("add_communities")) actions.add_communities = read_community_list(sink, *v);
  if (auto v = map.get("remove_communities")) actions.remove_communities = read_community_list(sink, *v);
  if (auto v = map.get("add_large_communities")) actions.add_large_communities = read_large_community_list(sink, *v);
  if (auto v = map.get("remove_large_communities"))
    actions.remove_large_communities = read_large_community_list(sink, *v);
  return actions;
}

std::optional<bgp::PolicyTerm> read_term(ErrorSink& sink, const Located& where) {
  MapReader map(sink, where, {"name", "match", "set", "action"});
  if (!map.valid()) return std::nullopt;
  bgp::PolicyTerm term;
  if (auto v = map.get("name")) {
    if (auto name = read_name(sink, *v)) term.name = *name;
  }
  if (auto v = map.get("match")) term.match = read_match(sink, *v);
  if (auto v = map.get("set")) term.actions = read_set(sink, *v);
  if (auto v = map.get("action")) {
    if (auto verdict = read_verdict(sink, *v, /*allow_next_term=*/true)) term.actions.verdict = *verdict;
  }
  return term;
}

}  // namespace

std::optional<bgp::Policy> read_policy(ErrorSink& sink, const Located& where, const std::string& name) {
  MapReader map(sink, where, {"terms", "default"});
  if (!map.valid()) return std::nullopt;
  const size_t errors_before = sink.count();
  bgp::Policy policy;
  policy.name = name;
  if (auto v = map.get("terms")) {
    std::vector<std::string> term_names;
    for (const Located& element : read_list(sink, *v)) {
      auto term = read_term(sink, element);
      if (!term) continue;
      if (!term->name.empty()) {
        if (std::find(term_names.begin(), term_names.end(), term->name) != term_names.end())
          sink.error(element.mark, element.path, "duplicate term name '" + term->name + "'");
        term_names.push_back(term->name);
      }
      policy.terms.push_back(std::move(*term));
    }
  }
  if (auto v = map.get("default")) {
    if (auto verdict = read_verdict(sink, *v, /*allow_next_term=*/false)) policy.default_verdict = *verdict;
  }
  if (sink.count() != errors_before) return std::nullopt;
  return policy;
}

std::vector<bgp::Policy> read_policies(ErrorSink& sink, const Located& where) {
  std::vector<bgp::Policy> out;
  for (const NamedEntry& entry : read_named_map(sink, where, "policy")) {
    if (entry.name == "all" || entry.name == "none") {
      sink.error(entry.name_mark, entry.value.path,
                 "'" + entry.name + "' is built in (accept everything / nothing); choose another name");
      continue;
    }
    if (auto policy = read_policy(sink, entry.value, entry.name)) out.push_back(std::move(*policy));
  }
  return out;
}

std::optional<bgp::Policy> read_policy_reference(ErrorSink& sink, const Located& where,
                                                 const std::vector<bgp::Policy>& named,
                                                 const std::string& inline_name) {
  if (where.node.IsDefined() && where.node.IsMap()) return read_policy(sink, where, inline_name);
  auto text = read_string(sink, where);
  if (!text) return std::nullopt;
  bgp::Policy policy;
  policy.name = *text;
  if (*text == "all") {
    policy.default_verdict = bgp::PolicyVerdict::accept;
    return policy;
  }
  if (*text == "none") {
    policy.default_verdict = bgp::PolicyVerdict::reject;
    return policy;
  }
  for (const bgp::Policy& p : named)
    if (p.name == *text) return p;
  std::vector<std::string> names = {"all", "none"};
  for (const bgp::Policy& p : named) names.push_back(p.name);
  sink.error(where.mark, where.path,
             "no policy named '" + *text + "' in this router's policies" + did_you_mean(*text, names));
  return std::nullopt;
}

std::optional<bgp::MaxPrefix> read_max_prefix(ErrorSink& sink, const Located& where) {
  bgp::MaxPrefix limit;
  if (where.node.IsDefined() && where.node.IsScalar()) {
    auto n = read_uint(sink, where, 1, 4294967295, "prefixes");
    if (!n) return std::nullopt;
    limit.limit = static_cast<uint32_t>(*n);
    return limit;
  }
  MapReader map(sink, where, {"limit", "warning_only", "restart_after", "warning_threshold_percent"});
  if (!map.valid()) return std::nullopt;
  const size_t errors_before = sink.count();
  if (auto v = map.require("limit")) {
    if (auto n = read_uint(sink, *v, 1, 4294967295, "prefixes")) limit.limit = static_cast<uint32_t>(*n);
  }
  if (auto v = map.get("warning_only")) {
    if (auto b = read_bool(sink, *v)) limit.warning_only = *b;
  }
  if (auto v = map.get("restart_after")) {
    if (auto n = read_uint(sink, *v, 0, 86400, "seconds")) limit.restart_after = Duration::seconds(static_cast<int64_t>(*n));
  }
  if (auto v = map.get("warning_threshold_percent")) {
    if (auto n = read_uint(sink, *v, 1, 100, "percent")) limit.warning_threshold_percent = static_cast<uint8_t>(*n);
  }
  if (sink.count() != errors_before) return std::nullopt;
  return limit;
}

std::optional<bgp::PrefixListEntry> read_prefix_list_entry(ErrorSink& sink, const Located& where) {
  auto text = read_string(sink, where);
  if (!text) return std::nullopt;
  std::istringstream words(*text);
  std::vector<std::string> tokens;
  for (std::string w; words >> w;) tokens.push_back(w);
  const std::string usage = "expected 'PREFIX', 'PREFIX le N', 'PREFIX ge N' or 'PREFIX ge N le M', got '" + *text + "'";
  if (tokens.empty() || tokens.size() % 2 == 0 || tokens.size() > 5) {
    sink.error(where.mark, where.path, usage);
    return std::nullopt;
  }
  auto prefix = Prefix::parse(tokens[0]);
  if (!prefix) {
    sink.error(where.mark, where.path, prefix.message());
    return std::nullopt;
  }
  bgp::PrefixListEntry entry;
  entry.prefix = *prefix;
  const int bits = address_bits(prefix->family());
  for (size_t i = 1; i + 1 < tokens.size(); i += 2) {
    auto n = parse_number(tokens[i + 1], 128);
    if (!n || (tokens[i] != "ge" && tokens[i] != "le") || (tokens[i] == "ge" && entry.ge) ||
        (tokens[i] == "le" && entry.le)) {
      sink.error(where.mark, where.path, usage);
      return std::nullopt;
    }
    (tokens[i] == "ge" ? entry.ge : entry.le) = static_cast<uint8_t>(*n);
  }
  const int low = entry.ge ? *entry.ge : prefix->length();
  const int high = entry.le ? *entry.le : (entry.ge ? bits : prefix->length());
  if (low < prefix->length() || high > bits || low > high) {
    sink.error(where.mark, where.path,
               "lengths must satisfy " + std::to_string(prefix->length()) + " <= ge <= le <= " +
                   std::to_string(bits) + " in '" + *text + "'");
    return std::nullopt;
  }
  return entry;
}

std::optional<uint32_t> read_community(ErrorSink& sink, const Located& where) {
  auto text = read_string(sink, where);
  if (!text) return std::nullopt;
  static const std::vector<std::pair<std::string, uint32_t>> well_known = {
      {"no-export", bgp::community::no_export},
      {"no-advertise", bgp::community::no_advertise},
      {"no-export-subconfed", bgp::community::no_export_subconfed},
      {"no-peer", bgp::community::no_peer},
      {"blackhole", bgp::community::blackhole},
      {"graceful-shutdown", bgp::community::graceful_shutdown},
      {"accept-own", bgp::community::accept_own},
  };
  for (const auto& [name, value] : well_known)
    if (*text == name) return value;
  auto parts = split(*text, ':');
  if (parts.size() == 2) {
    auto high = parse_number(parts[0], 65535);
    auto low = parse_number(parts[1], 65535);
    if (high && low) return static_cast<uint32_t>((*high << 16) | *low);
  }
  std::vector<std::string> names;
  for (const auto& entry : well_known) names.push_back(entry.first);
  sink.error(where.mark, where.path,
             "expected a community 'ASN:VALUE' (each 0-65535) or a well-known name, got '" + *text + "'" +
                 did_you_mean(*text, names));
  return std::nullopt;
}

std::optional<bgp::LargeCommunity> read_large_community(ErrorSink& sink, const Located& where) {
  auto text = read_string(sink, where);
  if (!text) return std::nullopt;
  auto parts = split(*text, ':');
  if (parts.size() == 3) {
    auto a = parse_number(parts[0], 4294967295);
    auto b = parse_number(parts[1], 4294967295);
    auto c = parse_number(parts[2], 4294967295);
    if (a && b && c)
      return bgp::LargeCommunity{static_cast<uint32_t>(*a), static_cast<uint32_t>(*b), static_cast<uint32_t>(*c)};
  }
  sink.error(where.mark, where.path,
             "expected a large community 'GLOBAL:LOCAL1:LOCAL2' (each 0-4294967295), got '" + *text + "'");
  return std::nullopt;
}

}  // namespace halink::config
