// Strict, position-aware reading of YAML for the config parsers.
//
// Every error carries file:line:col and the key path (routers.r1.neighbors[2]
// .hold_time) and is collected, not thrown, so one run reports several
// mistakes. Unknown keys are errors with a "did you mean" for near misses;
// keys starting with "x-" are ignored everywhere, so YAML anchors can be
// parked there (`x-fast-bfd: &fast {interval_ms: 100, multiplier: 3}`), and
// YAML merge keys (`<<: *anchor`) work in every mapping.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.h"
#include "config/topology.h"
#include "core/ip.h"

namespace halink::config {

// Collects diagnostics for one source (file or string).
class ErrorSink {
public:
  explicit ErrorSink(std::string file) : file_(std::move(file)) {}

  void error(const YAML::Mark& mark, const std::string& path, std::string message);
  const std::string& file() const { return file_; }
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  bool failed() const { return !diagnostics_.empty(); }
  size_t count() const { return diagnostics_.size(); }

private:
  std::string file_;
  std::vector<Diagnostic> diagnostics_;
};

// A value in the document with where it is and how to name it.
struct Located {
  YAML::Node node;
  YAML::Mark mark;   // of the value, or of its key when the value is empty
  std::string path;  // "routers.r1.neighbors[2].hold_time"

  bool is_null() const { return !node.IsDefined() || node.IsNull(); }
};

std::string join_path(const std::string& parent, std::string_view key);
std::string index_path(const std::string& parent, size_t index);

// Levenshtein distance with adjacent transpositions (optimal string alignment).
size_t edit_distance(std::string_view a, std::string_view b);
// The closest candidate when it is close enough to be a likely typo.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);
// " (did you mean 'x'?)" or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// One mapping with a fixed set of keys. Reports: not a mapping, non-scalar
// keys, duplicate keys, unknown keys (with a suggestion).
class MapReader {
public:
  MapReader(ErrorSink& sink, const Located& where, std::vector<std::string> allowed_keys);

  bool valid() const { return valid_; }
  bool has(std::string_view key) const;
  std::optional<Located> get(std::string_view key) const;
  // Reports "missing required key" at the mapping when absent.
  std::optional<Located> require(std::string_view key);
  const Located& where() const { return where_; }

private:
  struct Entry {
    std::string key;
    Located value;
  };
  ErrorSink& sink_;
  Located where_;
  bool valid_ = false;
  std::vector<Entry> entries_;
};

// A mapping from user-chosen names to definitions (routers: {r1: ..., r2: ...}).
struct NamedEntry {
  std::string name;
  YAML::Mark name_mark;
  Located value;
};
// `noun` is used in messages ("duplicate router name 'r1' ...").
std::vector<NamedEntry> read_named_map(ErrorSink& sink, const Located& where, std::string_view noun);

// Elements of a sequence; a null value is an empty list. With
// `allow_scalar`, a single scalar stands for a one-element list.
std::vector<Located> read_list(ErrorSink& sink, const Located& where, bool allow_scalar = false);

// Names of routers, tunnels, ...: letters, digits, '-', '_', '.', at most 63.
bool valid_name(std::string_view name);
// Linux interface names: 1..15 characters, no '/', whitespace or ':'.
bool valid_interface_name(std::string_view name);

// Scalar readers: nullopt after reporting an error.
std::optional<std::string> read_string(ErrorSink& sink, const Located& v);
std::optional<bool> read_bool(ErrorSink& sink, const Located& v);
std::optional<uint64_t> read_uint(ErrorSink& sink, const Located& v, uint64_t min, uint64_t max,
                                  std::string_view unit = "");
std::optional<IpAddress> read_address(ErrorSink& sink, const Located& v);
std::optional<IpAddress> read_ipv4(ErrorSink& sink, const Located& v);  // router IDs
std::optional<Prefix> read_prefix(ErrorSink& sink, const Located& v);
// ADDRESS/LENGTH as written on an interface: "169.254.21.1/30".
std::optional<InterfaceAddress> read_interface_address(ErrorSink& sink, const Located& v);
std::optional<uint32_t> read_asn(ErrorSink& sink, const Located& v);
std::optional<std::string> read_name(ErrorSink& sink, const Located& v);
std::optional<std::string> read_interface_name(ErrorSink& sink, const Located& v);
// One of `choices`; the message lists them.
std::optional<std::string> read_choice(ErrorSink& sink, const Located& v, const std::vector<std::string>& choices);

}  // namespace halink::config
