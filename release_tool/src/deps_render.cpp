// render_deps: the start order and dependency graph in three formats.
#include "relc/release/pipeline.hpp"
#include "relc/runtime/term.hpp"

namespace relc::release {

namespace {

std::string label(const resolved_app& app) {
  return app.name() + " " + app.manifest.vsn.text() + " ("
         + to_string(app.type) + (app.included_by ? ", included by "
                                                      + *app.included_by
                                                  : std::string{})
         + (app.listed ? "" : ", added") + ")";
}

void tree_of(const resolved_release& rel, const resolved_app& app,
             const std::string& prefix, std::string& out, int depth) {
  std::vector<std::pair<std::string, std::string>> children; // name, edge
  for (auto& d : app.manifest.applications)
    children.emplace_back(d, "");
  for (auto& d : app.present_optional)
    children.emplace_back(d, " [optional]");
  for (auto& d : app.included)
    children.emplace_back(d, " [included]");
  for (size_t i = 0; i < children.size(); ++i) {
    bool last = i + 1 == children.size();
    out += prefix + (last ? "`-- " : "|-- ") + children[i].first
           + children[i].second + "\n";
    if (auto* child = rel.find(children[i].first); child && depth < 64)
      tree_of(rel, *child, prefix + (last ? "    " : "|   "), out, depth + 1);
  }
}

} // namespace

std::string render_deps(const resolved_release& rel, deps_format format) {
  std::string out;
  switch (format) {
    case deps_format::tree: {
      out += rel.spec.name + " " + rel.spec.vsn.text() + "\n";
      out += "start order:\n";
      int n = 0;
      for (auto& app : rel.apps)
        out += "  " + std::to_string(++n) + ". " + label(app) + "\n";
      out += "dependencies:\n";
      for (auto& app : rel.apps) {
        out += app.name() + "\n";
        tree_of(rel, app, "", out, 0);
      }
      break;
    }
    case deps_format::dot: {
      out += "digraph \"" + rel.spec.name + "\" {\n";
      for (auto& app : rel.apps)
        out += "  \"" + app.name() + "\" [label=\"" + app.name() + "\\n"
               + app.manifest.vsn.text() + "\\n" + to_string(app.type)
               + "\"];\n";
      for (auto& app : rel.apps) {
        for (auto& d : app.manifest.applications)
          out += "  \"" + app.name() + "\" -> \"" + d + "\";\n";
        for (auto& d : app.present_optional)
          out += "  \"" + app.name() + "\" -> \"" + d
                 + "\" [style=dashed];\n";
        for (auto& d : app.included)
          out += "  \"" + app.name() + "\" -> \"" + d
                 + "\" [style=bold, label=\"includes\"];\n";
      }
      out += "}\n";
      break;
    }
    case deps_format::json: {
      auto quote = [](const std::string& s) {
        std::string r = "\"";
        for (char c : s) {
          if (c == '"' || c == '\\')
            r += '\\';
          r += c;
        }
        return r + "\"";
      };
      auto list = [&](const std::vector<std::string>& xs) {
        std::string r = "[";
        for (size_t i = 0; i < xs.size(); ++i)
          r += (i ? ", " : "") + quote(xs[i]);
        return r + "]";
      };
      out += "{\"release\": " + quote(rel.spec.name) + ", \"vsn\": "
             + quote(rel.spec.vsn.text()) + ", \"start_order\": [\n";
      for (size_t i = 0; i < rel.apps.size(); ++i) {
        auto& app = rel.apps[i];
        out += "  {\"name\": " + quote(app.name()) + ", \"vsn\": "
               + quote(app.manifest.vsn.text()) + ", \"type\": "
               + quote(to_string(app.type)) + ", \"listed\": "
               + (app.listed ? "true" : "false")
               + ", \"applications\": " + list(app.manifest.applications)
               + ", \"optional_applications\": " + list(app.present_optional)
               + ", \"included_applications\": " + list(app.included)
               + ", \"included_by\": "
               + (app.included_by ? quote(*app.included_by) : "null") + "}"
               + (i + 1 < rel.apps.size() ? "," : "") + "\n";
      }
      out += "]}\n";
      break;
    }
  }
  return out;
}

} // namespace relc::release
