#include "config/yaml_reader.h"

#include <algorithm>
#include <cctype>
#include <limits>

namespace halink::config {

void ErrorSink::error(const YAML::Mark& mark, const std::string& path, std::string message) {
  Diagnostic d;
  d.file = file_;
  if (!mark.is_null()) {
    d.line = mark.line + 1;
    d.column = mark.column + 1;
  }
  d.path = path;
  d.message = std::move(message);
  // A neighbour_defaults value is read once per neighbour: report it once.
  for (const Diagnostic& seen : diagnostics_)
    if (seen.line == d.line && seen.column == d.column && seen.path == d.path && seen.message == d.message)
      return;
  diagnostics_.push_back(std::move(d));
}

std::string join_path(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return parent + "." + std::string(key);
}

std::string index_path(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

size_t edit_distance(std::string_view a, std::string_view b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  size_t best_distance = std::numeric_limits<size_t>::max();
  const size_t limit = std::max<size_t>(1, word.size() / 3);
  for (const std::string& c : candidates) {
    size_t distance = edit_distance(word, c);
    // "interval" for "interval_ms": a word that is the start of a key is a near miss too.
    const bool prefix_of = word.size() >= 4 && (c.starts_with(word) || word.starts_with(c));
    if (distance > limit && !prefix_of) continue;
    if (distance < best_distance) {
      best_distance = distance;
      best = c;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  auto match = closest_match(word, candidates);
  return match ? " (did you mean '" + *match + "'?)" : "";
}

namespace {

const char* node_type_name(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing";
  if (n.IsScalar()) return "a single value";
  if (n.IsSequence()) return "a list";
  return "a mapping";
}

Located child(const YAML::Node& key, const YAML::Node& value, const std::string& path) {
  Located l;
  l.node = value;
  l.mark = (!value.IsDefined() || value.IsNull()) ? key.Mark() : value.Mark();
  l.path = path;
  return l;
}

}  // namespace

MapReader::MapReader(ErrorSink& sink, const Located& where, std::vector<std::string> allowed_keys)
    : sink_(sink), where_(where) {
  if (where.is_null()) {
    valid_ = true;
    return;
  }
  if (!where.node.IsMap()) {
    sink_.error(where.mark, where.path, std::string("expected a mapping (key: value), got ") + node_type_name(where.node));
    return;
  }
  valid_ = true;
  std::vector<Located> merged;
  // (yaml-cpp's iterator hands out a temporary pair: copy the nodes, which are handles.)
  for (const auto& pair : where.node) {
    const YAML::Node key = pair.first;
    const YAML::Node value = pair.second;
    if (!key.IsScalar()) {
      sink_.error(key.Mark(), where.path, "keys must be plain words");
      continue;
    }
    const std::string& name = key.Scalar();
    if (name.starts_with("x-")) continue;
    if (name == "<<") {
      merged.push_back(child(key, value, where.path));
      continue;
    }
    const std::string path = join_path(where.path, name);
    if (std::find(allowed_keys.begin(), allowed_keys.end(), name) == allowed_keys.end()) {
      sink_.error(key.Mark(), path, "unknown key '" + name + "'" + did_you_mean(name, allowed_keys));
      continue;
    }
    auto previous = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key == name; });
    if (previous != entries_.end()) {
      sink_.error(key.Mark(), path,
                  "duplicate key '" + name + "' (first given at line " + std::to_string(previous->value.mark.line + 1) + ")");
      continue;
    }
    entries_.push_back(Entry{name, child(key, value, path)});
  }
  // YAML merge keys (`<<: *defaults`, or a list of them): keys written in the
  // mapping itself win, then earlier merged mappings win over later ones.
  // yaml-cpp 0.7 leaves `<<` to the application.
  for (const Located& m : merged) {
    std::vector<Located> sources;
    if (m.node.IsSequence()) sources = read_list(sink_, m);
    else sources.push_back(m);
    for (const Located& source : sources) {
      MapReader inner(sink_, source, allowed_keys);
      for (const Entry& e : inner.entries_)
        if (!has(e.key)) entries_.push_back(e);
    }
  }
}

bool MapReader::has(std::string_view key) const {
  return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key == key; });
}

std::optional<Located> MapReader::get(std::string_view key) const {
  for (const Entry& e : entries_)
    if (e.key == key) return e.value;
  return std::nullopt;
}

std::optional<Located> MapReader::require(std::string_view key) {
  auto v = get(key);
  if (!v && valid_) sink_.error(where_.mark, where_.path, "missing required key '" + std::string(key) + "'");
  return v;
}

std::vector<NamedEntry> read_named_map(ErrorSink& sink, const Located& where, std::string_view noun) {
  std::vector<NamedEntry> out;
  if (where.is_null()) return out;
  if (!where.node.IsMap()) {
    sink.error(where.mark, where.path,
               "expected a mapping from " + std::string(noun) + " names to definitions, got " + node_type_name(where.node));
    return out;
  }
  // (yaml-cpp's iterator hands out a temporary pair: copy the nodes, which are handles.)
  for (const auto& pair : where.node) {
    const YAML::Node key = pair.first;
    const YAML::Node value = pair.second;
    if (!key.IsScalar()) {
      sink.error(key.Mark(), where.path, std::string(noun) + " names must be plain words");
      continue;
    }
    const std::string& name = key.Scalar();
    if (name.starts_with("x-")) continue;
    const std::string path = join_path(where.path, name);
    if (!valid_name(name)) {
      sink.error(key.Mark(), path,
                 "invalid " + std::string(noun) + " name '" + name +
                     "': use letters, digits, '-', '_' and '.', starting with a letter or digit, at most 63");
      continue;
    }
    auto previous = std::find_if(out.begin(), out.end(), [&](const NamedEntry& e) { return e.name == name; });
    if (previous != out.end()) {
      sink.error(key.Mark(), path,
                 "duplicate " + std::string(noun) + " name '" + name + "' (first defined at line " +
                     std::to_string(previous->name_mark.line + 1) + ")");
      continue;
    }
    out.push_back(NamedEntry{name, key.Mark(), child(key, value, path)});
  }
  return out;
}

std::vector<Located> read_list(ErrorSink& sink, const Located& where, bool allow_scalar) {
  std::vector<Located> out;
  if (where.is_null()) return out;
  if (where.node.IsScalar() && allow_scalar) {
    out.push_back(where);
    return out;
  }
  if (!where.node.IsSequence()) {
    sink.error(where.mark, where.path, std::string("expected a list, got ") + node_type_name(where.node));
    return out;
  }
  for (size_t i = 0; i < where.node.size(); ++i) {
    const YAML::Node element = where.node[i];
    Located l;
    l.node = element;
    l.mark = element.Mark().is_null() ? where.mark : element.Mark();
    l.path = index_path(where.path, i);
    out.push_back(l);
  }
  return out;
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  if (!std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

bool valid_interface_name(std::string_view name) {
  // IFNAMSIZ is 16 including the terminating NUL.
  if (name.empty() || name.size() > 15 || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

std::optional<std::string> read_string(ErrorSink& sink, const Located& v) {
  if (v.is_null()) {
    sink.error(v.mark, v.path, "expected a value, got nothing");
    return std::nullopt;
  }
  if (!v.node.IsScalar()) {
    sink.error(v.mark, v.path, std::string("expected a single value, got ") + node_type_name(v.node));
    return std::nullopt;
  }
  return v.node.Scalar();
}

std::optional<bool> read_bool(ErrorSink& sink, const Located& v) {
  auto text = read_string(sink, v);
  if (!text) return std::nullopt;
  if (*text == "true" || *text == "True" || *text == "TRUE") return true;
  if (*text == "false" || *text == "False" || *text == "FALSE") return false;
  sink.error(v.mark, v.path, "expected true or false, got '" + *text + "'");
  return std::nullopt;
}

std::optional<uint64_t> read_uint(ErrorSink& sink, const Located& v, uint64_t min, uint64_t max,
                                  std::string_view unit) {
  auto text = read_string(sink, v);
  if (!text) return std::nullopt;
  const std::string range = "between " + std::to_string(min) + " and " + std::to_string(max) +
                            (unit.empty() ? "" : " " + std::string(unit));
  bool digits = !text->empty() && text->size() <= 20 &&
                std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) {
    sink.error(v.mark, v.path, "expected a whole number " + range + ", got '" + *text + "'");
    return std::nullopt;
  }
  uint64_t value = 0;
  for (char c : *text) {
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      value = std::numeric_limits<uint64_t>::max();
      break;
    }
    value = value * 10 + digit;
  }
  if (value < min || value > max) {
    sink.error(v.mark, v.path, "must be " + range + ", got " + *text);
    return std::nullopt;
  }
  return value;
}

std::optional<IpAddress> read_address(ErrorSink& sink, const Located& v) {
  auto text = read_string(sink, v);
  if (!text) return std::nullopt;
  if (text->find('/') != std::string::npos) {
    sink.error(v.mark, v.path, "expected an address without /length, got '" + *text + "'");
    return std::nullopt;
  }
  auto address = IpAddress::parse(*text);
  if (!address) {
    sink.error(v.mark, v.path, address.message());
    return std::nullopt;
  }
  return *address;
}

std::optional<IpAddress> read_ipv4(ErrorSink& sink, const Located& v) {
  auto address = read_address(sink, v);
  if (!address) return std::nullopt;
  if (!address->is_v4()) {
    sink.error(v.mark, v.path, "expected an IPv4 address (a 32-bit identifier), got " + address->to_string());
    return std::nullopt;
  }
  return address;
}

std::optional<Prefix> read_prefix(ErrorSink& sink, const Located& v) {
  auto text = read_string(sink, v);
  if (!text) return std::nullopt;
  auto prefix = Prefix::parse(*text);
  if (!prefix) {
    sink.error(v.mark, v.path, prefix.message());
    return std::nullopt;
  }
  return *prefix;
}

std::optional<uint32_t> read_asn(ErrorSink& sink, const Located& v) {
  auto value = read_uint(sink, v, 1, 4294967294);
  if (!value) return std::nullopt;
  if (*value == 23456) {
    sink.error(v.mark, v.path, "23456 is AS_TRANS (RFC 6793), not a usable AS number");
    return std::nullopt;
  }
  return static_cast<uint32_t>(*value);
}

std::optional<std::string> read_name(ErrorSink& sink, const Located& v) {
  auto text = read_string(sink, v);
  if (!text) return std::nullopt;
  if (!valid_name(*text)) {
    sink.error(v.mark, v.path,
               "invalid name '" + *text + "': use letters, digits, '-', '_' and '.', starting with a letter or digit");
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> read_interface_name(ErrorSink& sink, const Located& v) {
  auto text = read_string(sink, v);
  if (!text) return std::nullopt;
  if (!valid_interface_name(*text)) {
    sink.error(v.mark, v.path,
               "invalid interface name '" + *text + "': 1 to 15 letters, digits, '-', '_' or '.'");
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> read_choice(ErrorSink& sink, const Located& v, const std::vector<std::string>& choices) {
  auto text = read_string(sink, v);
  if (!text) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *text) != choices.end()) return text;
  std::string list;
  for (const std::string& c : choices) list += (list.empty() ? "" : ", ") + c;
  sink.error(v.mark, v.path, "'" + *text + "' is not one of: " + list + did_you_mean(*text, choices));
  return std::nullopt;
}

std::optional<InterfaceAddress> read_interface_address(ErrorSink& sink, const Located& v) {
  auto text = read_string(sink, v);
  if (!text) return std::nullopt;
  const size_t slash = text->find('/');
  auto fail = [&](std::string why) {
    sink.error(v.mark, v.path, why);
    return std::nullopt;
  };
  if (slash == std::string::npos)
    return fail("expected ADDRESS/LENGTH such as 169.254.21.1/30, got '" + *text + "'");
  auto address = IpAddress::parse(std::string_view(*text).substr(0, slash));
  if (!address) return fail(address.message());
  const std::string length_text = text->substr(slash + 1);
  const bool digits = !length_text.empty() && length_text.size() <= 3 &&
                      std::all_of(length_text.begin(), length_text.end(), [](char c) { return c >= '0' && c <= '9'; });
  const int length = digits ? std::stoi(length_text) : -1;
  if (length < 0 || length > address_bits(address->family()))
    return fail("invalid prefix length in '" + *text + "'");
  return InterfaceAddress{*address, static_cast<uint8_t>(length)};
}

}  // namespace halink::config
