#include "config/scenario.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/loader.h"
#include "config/yaml_reader.h"

namespace halink::config {

const std::vector<FailureKind>& all_failure_kinds() {
  static const std::vector<FailureKind> kinds = {
      FailureKind::tunnel_blackhole, FailureKind::tunnel_down,          FailureKind::router_crash,
      FailureKind::underlay_loss,    FailureKind::device_crash,         FailureKind::link_down,
      FailureKind::tunnel_process_crash, FailureKind::tunnel_wrong_key, FailureKind::halinkd_restart,
  };
  return kinds;
}

const char* failure_kind_name(FailureKind kind) {
  switch (kind) {
    case FailureKind::tunnel_blackhole: return "tunnel-blackhole";
    case FailureKind::tunnel_down: return "tunnel-down";
    case FailureKind::router_crash: return "router-crash";
    case FailureKind::underlay_loss: return "underlay-loss";
    case FailureKind::device_crash: return "device-crash";
    case FailureKind::link_down: return "link-down";
    case FailureKind::tunnel_process_crash: return "tunnel-process-crash";
    case FailureKind::tunnel_wrong_key: return "tunnel-wrong-key";
    case FailureKind::halinkd_restart: return "halinkd-restart";
  }
  return "?";
}

std::optional<FailureKind> failure_kind_from_name(std::string_view name) {
  for (FailureKind k : all_failure_kinds())
    if (name == failure_kind_name(k)) return k;
  return std::nullopt;
}

FailureTargetKind failure_target_kind(FailureKind kind) {
  switch (kind) {
    case FailureKind::tunnel_blackhole:
    case FailureKind::tunnel_down:
    case FailureKind::tunnel_wrong_key: return FailureTargetKind::tunnel;
    case FailureKind::link_down:
    case FailureKind::tunnel_process_crash: return FailureTargetKind::tunnel_end;
    case FailureKind::router_crash:
    case FailureKind::halinkd_restart: return FailureTargetKind::router;
    case FailureKind::underlay_loss: return FailureTargetKind::underlay;
    case FailureKind::device_crash: return FailureTargetKind::device;
  }
  return FailureTargetKind::tunnel;
}

bool failure_is_instant(FailureKind kind) { return kind == FailureKind::halinkd_restart; }

FailureEffect failures_take_down(const std::vector<Failure>& in_force, const Topology& topology) {
  FailureEffect effect;
  for (const Failure& f : in_force) {
    switch (f.kind) {
      case FailureKind::tunnel_blackhole:
      case FailureKind::tunnel_down:
      case FailureKind::link_down:
      case FailureKind::tunnel_process_crash:
      case FailureKind::tunnel_wrong_key: effect.tunnels.insert(f.target); break;
      case FailureKind::underlay_loss:
        for (const Tunnel& t : topology.tunnels)
          if (t.underlay == f.target) effect.tunnels.insert(t.name);
        break;
      case FailureKind::router_crash:
        effect.routers.insert(f.target);
        for (const Tunnel& t : topology.tunnels)
          if (t.end_at(f.target)) effect.tunnels.insert(t.name);
        break;
      case FailureKind::halinkd_restart:
      case FailureKind::device_crash: break;
    }
  }
  return effect;
}

bool FailureEffect::takes_down(const Topology& topology, const std::string& router, const Neighbor& n) const {
  if (routers.count(router) || (!n.tunnel.empty() && tunnels.count(n.tunnel))) return true;
  for (const std::string& crashed : routers)
    if (const RouterConfig* c = topology.find_router(crashed);
        c && c->lan_address && c->lan_address->address == n.address)
      return true;
  return false;
}

std::string Failure::to_string() const {
  std::string out = std::string(failure_kind_name(kind)) + " " + target;
  if (!router.empty()) out += "@" + router;
  return out;
}

std::string Failure::describe() const {
  switch (kind) {
    case Kind::tunnel_blackhole: return "tunnel " + target + " silently black-holed";
    case Kind::tunnel_down: return "tunnel " + target + " interface down";
    case Kind::router_crash: return "router " + target + " crashed";
    case Kind::underlay_loss: return "underlay " + target + " lost";
    case Kind::device_crash: return "device " + target + " failed";
    case Kind::link_down: return "tunnel " + target + " interface down on " + router;
    case Kind::tunnel_process_crash: return "tunnel " + target + " process crashed on " + router;
    case Kind::tunnel_wrong_key: return "tunnel " + target + " key mismatch";
    case Kind::halinkd_restart: return "halinkd on " + target + " restarted";
  }
  return target;
}

namespace {

template <class T>
std::vector<std::string> names_of(const std::vector<T>& items) {
  std::vector<std::string> out;
  for (const T& item : items) out.push_back(item.name);
  return out;
}

std::string unknown(std::string_view noun, const std::string& name, const std::vector<std::string>& candidates) {
  return "no " + std::string(noun) + " named '" + name + "'" + did_you_mean(name, candidates);
}

}  // namespace

Result<Failure> parse_failure(std::string_view text, const Topology& topology) {
  std::istringstream words{std::string(text)};
  std::string kind_word, target, extra;
  words >> kind_word >> target >> extra;
  std::vector<std::string> kind_names;
  for (FailureKind k : all_failure_kinds()) kind_names.push_back(failure_kind_name(k));
  if (kind_word.empty() || target.empty() || !extra.empty())
    return Error{"expected KIND TARGET (e.g. 'tunnel-blackhole r1-g1'), got '" + std::string(text) + "'"};
  auto kind = failure_kind_from_name(kind_word);
  if (!kind) {
    std::string list;
    for (const std::string& n : kind_names) list += (list.empty() ? "" : ", ") + n;
    return Error{"unknown failure kind '" + kind_word + "'" + did_you_mean(kind_word, kind_names) + "; one of " + list};
  }
  Failure f;
  f.kind = *kind;
  f.target = target;
  const FailureTargetKind target_kind = failure_target_kind(*kind);
  if (target_kind != FailureTargetKind::tunnel_end && target.find('@') != std::string::npos)
    return Error{std::string(failure_kind_name(*kind)) + " fails a whole " +
                 (target_kind == FailureTargetKind::tunnel ? "tunnel" : "element") + ": name it without '@ROUTER'"};
  switch (target_kind) {
    case FailureTargetKind::tunnel:
      if (!topology.find_tunnel(target)) return Error{unknown("tunnel", target, names_of(topology.tunnels))};
      break;
    case FailureTargetKind::tunnel_end: {
      const size_t at = target.find('@');
      if (at == std::string::npos)
        return Error{std::string(failure_kind_name(*kind)) + " happens at one end: write TUNNEL@ROUTER, e.g. '" +
                     (topology.tunnels.empty() ? std::string("r1-g1@r1")
                                               : topology.tunnels[0].name + "@" + topology.tunnels[0].ends[0].router) +
                     "'"};
      f.target = target.substr(0, at);
      f.router = target.substr(at + 1);
      const Tunnel* tunnel = topology.find_tunnel(f.target);
      if (!tunnel) return Error{unknown("tunnel", f.target, names_of(topology.tunnels))};
      if (!tunnel->end_at(f.router))
        return Error{"tunnel " + f.target + " runs between " + tunnel->ends[0].router + " and " +
                     tunnel->ends[1].router + ", not " + f.router};
      break;
    }
    case FailureTargetKind::router:
      if (!topology.find_router(target)) return Error{unknown("router", target, names_of(topology.routers))};
      break;
    case FailureTargetKind::underlay:
      if (!topology.find_underlay(target)) return Error{unknown("underlay", target, names_of(topology.underlays))};
      break;
    case FailureTargetKind::device:
      if (!topology.find_device(target)) return Error{unknown("device", target, names_of(topology.devices))};
      break;
  }
  return f;
}

std::optional<Duration> parse_duration(std::string_view text) {
  size_t digits_end = 0;
  while (digits_end < text.size() && ((text[digits_end] >= '0' && text[digits_end] <= '9') || text[digits_end] == '.'))
    ++digits_end;
  const std::string number(text.substr(0, digits_end));
  const std::string_view unit = text.substr(digits_end);
  if (number.empty() || number.size() > 12 || number.find('.') != number.rfind('.') || number == ".") return std::nullopt;
  int64_t unit_ns = 0;
  if (unit == "ms") unit_ns = 1'000'000;
  else if (unit == "s") unit_ns = 1'000'000'000;
  else if (unit == "m") unit_ns = 60'000'000'000;
  else return std::nullopt;
  const double value = std::strtod(number.c_str(), nullptr);
  const double ns = value * static_cast<double>(unit_ns);
  // A day is more than any scenario needs; the bound keeps the arithmetic in range.
  if (!(ns >= 1e6) || ns > 86'400e9) return std::nullopt;
  return Duration::nanoseconds(static_cast<int64_t>(std::llround(ns)));
}

namespace {

const std::vector<std::string> scenario_keys = {"name", "description", "steps"};
const std::vector<std::string> step_keys = {"wait", "fail", "restore", "change"};

Result<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path + ": cannot read: " + std::strerror(errno)};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// What the steps read so far have left in force.
struct ScenarioState {
  const Topology* topology = nullptr;  // in force: the file's, or `changed`
  // The last change's topology. Its own copy: the step that loaded it is
  // moved into the scenario's vector, so a pointer into the step would dangle.
  std::optional<Topology> changed;
  std::vector<Failure> failed;
};

// Only router sections may differ: a change reloads routers, it does not
// rebuild the network.
std::optional<std::string> structural_difference(const Topology& before, const Topology& after) {
  if (before.sites != after.sites) return "sites";
  if (before.underlays != after.underlays) return "underlays";
  if (before.tunnels != after.tunnels) return "tunnels";
  if (before.devices != after.devices) return "devices";
  if (before.hosts != after.hosts) return "hosts";
  if (names_of(before.routers) != names_of(after.routers)) return "the list of routers";
  return std::nullopt;
}

void read_change(ErrorSink& sink, const Located& value, const std::string& base_dir, ScenarioState& state,
                 ScenarioStep& step) {
  auto path = read_string(sink, value);
  if (!path) return;
  std::filesystem::path resolved(*path);
  if (resolved.is_relative() && !base_dir.empty()) resolved = std::filesystem::path(base_dir) / resolved;
  step.change_file = resolved.string();
  auto loaded = load_topology(step.change_file);
  if (!loaded) {
    sink.error(value.mark, value.path, "the changed topology does not load:\n" + loaded.message());
    return;
  }
  if (auto what = structural_difference(*state.topology, *loaded)) {
    sink.error(value.mark, value.path,
               step.change_file + " differs in " + *what +
                   ": a change may only edit router sections (they are reloaded; the network stays)");
    return;
  }
  for (const RouterConfig& after : loaded->routers)
    if (!(*state.topology->find_router(after.name) == after)) step.changed_routers.push_back(after.name);
  if (step.changed_routers.empty())
    sink.error(value.mark, value.path, step.change_file + " has no router section that differs from the one in force");
  step.topology = *loaded;
  state.changed = std::move(*loaded);
  state.topology = &*state.changed;
}

void read_failure_step(ErrorSink& sink, const Located& value, bool restore, ScenarioState& state,
                       ScenarioStep& step) {
  auto text = read_string(sink, value);
  if (!text) return;
  if (restore && *text == "all") {
    step.kind = ScenarioStep::Kind::restore_all;
    if (state.failed.empty()) sink.error(value.mark, value.path, "nothing to restore: no failure is in force");
    state.failed.clear();
    return;
  }
  auto failure = parse_failure(*text, *state.topology);
  if (!failure) {
    sink.error(value.mark, value.path, failure.message());
    return;
  }
  step.failure = *failure;
  auto in_force = std::find(state.failed.begin(), state.failed.end(), *failure);
  if (!restore) {
    step.kind = ScenarioStep::Kind::inject;
    if (in_force != state.failed.end())
      sink.error(value.mark, value.path, failure->to_string() + " is already in force");
    else if (!failure_is_instant(failure->kind))
      state.failed.push_back(*failure);
    return;
  }
  step.kind = ScenarioStep::Kind::restore;
  if (failure_is_instant(failure->kind))
    sink.error(value.mark, value.path,
               std::string(failure_kind_name(failure->kind)) + " is over at once: there is nothing to restore");
  else if (in_force == state.failed.end())
    sink.error(value.mark, value.path, "no earlier step failed " + failure->to_string());
  else
    state.failed.erase(in_force);
}

std::optional<ScenarioStep> read_step(ErrorSink& sink, const Located& where, const std::string& base_dir,
                                      ScenarioState& state) {
  MapReader map(sink, where, step_keys);
  if (!map.valid()) return std::nullopt;
  std::vector<std::string> present;
  for (const std::string& key : step_keys)
    if (map.has(key)) present.push_back(key);
  if (present.size() != 1) {
    sink.error(where.mark, where.path, "a step is one of wait:, fail:, restore:, change:");
    return std::nullopt;
  }
  const std::string& key = present.front();
  const Located value = *map.get(key);
  ScenarioStep step;
  step.line = where.mark.line + 1;
  const size_t errors_before = sink.count();
  if (key == "wait") {
    auto text = read_string(sink, value);
    if (!text) return std::nullopt;
    step.text = "wait: " + *text;
    if (*text == "converged") {
      step.kind = ScenarioStep::Kind::wait_converged;
      step.duration = scenario_converge_limit;
    } else if (auto d = parse_duration(*text)) {
      step.kind = ScenarioStep::Kind::wait_for;
      step.duration = *d;
    } else {
      sink.error(value.mark, value.path,
                 "expected 'converged' or a duration such as 250ms, 3s, 1.5s or 1m (at least 1ms), got '" + *text +
                     "'");
    }
  } else if (key == "fail" || key == "restore") {
    if (value.node.IsScalar()) step.text = key + ": " + value.node.Scalar();
    read_failure_step(sink, value, key == "restore", state, step);
  } else {
    step.kind = ScenarioStep::Kind::change;
    if (value.node.IsScalar()) step.text = "change: " + value.node.Scalar();
    read_change(sink, value, base_dir, state, step);
  }
  if (sink.count() != errors_before) return std::nullopt;
  return step;
}

std::optional<Scenario> read_scenario(ErrorSink& sink, const Located& root, const Topology& topology,
                                      const std::string& base_dir) {
  MapReader map(sink, root, scenario_keys);
  if (!map.valid()) return std::nullopt;
  Scenario scenario;
  if (auto v = map.get("name")) {
    if (auto n = read_name(sink, *v)) scenario.name = *n;
  }
  if (auto v = map.get("description")) {
    if (auto text = read_string(sink, *v)) scenario.description = *text;
  }
  ScenarioState state;
  state.topology = &topology;
  if (auto v = map.require("steps")) {
    std::vector<Located> elements = read_list(sink, *v);
    if (elements.empty() && !sink.failed()) sink.error(v->mark, v->path, "a scenario needs at least one step");
    for (const Located& element : elements)
      if (auto step = read_step(sink, element, base_dir, state)) scenario.steps.push_back(std::move(*step));
  }
  if (sink.failed()) return std::nullopt;
  return scenario;
}

}  // namespace

Result<Scenario> load_scenario_string(std::string_view text, const Topology& topology, const std::string& source_name,
                                      const std::string& base_dir) {
  ErrorSink sink(source_name);
  std::optional<Scenario> scenario;
  try {
    YAML::Node root = YAML::Load(std::string(text));
    YAML::Mark start;
    start.line = 0;
    start.column = 0;
    scenario = read_scenario(sink, Located{root, start, ""}, topology, base_dir);
  } catch (const YAML::Exception& e) {
    sink.error(e.mark, "", "YAML syntax error: " + e.msg);
  }
  if (!scenario || sink.failed()) return Error{format_diagnostics(sink.diagnostics())};
  scenario->source_file = source_name;
  if (scenario->name.empty()) scenario->name = std::filesystem::path(source_name).stem().string();
  return std::move(*scenario);
}

Result<Scenario> load_scenario(const std::string& path, const Topology& topology) {
  auto text = read_text_file(path);
  if (!text) return text.error();
  std::string folder = std::filesystem::path(path).parent_path().string();
  return load_scenario_string(*text, topology, path, folder.empty() ? "." : folder);
}

}  // namespace halink::config
