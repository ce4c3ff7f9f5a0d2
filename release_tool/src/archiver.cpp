#include "relc/release/archiver.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <thread>

#include "parallel_gzip.hpp"
#include "relc/release/release_error.hpp"

namespace relc::release {

namespace {

struct archive_deleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct entry_deleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

caf::error fail(archive* a, const std::string& path, const std::string& what) {
  auto msg = archive_error_string(a);
  return make_error(release_errc::write_failed,
                    "cannot write " + path + ": " + what
                      + (msg ? std::string{": "} + msg : std::string{}));
}

struct file_closer {
  void operator()(FILE* f) const { fclose(f); }
};

// libarchive writes the plain tar stream here; compression runs on all cores.
struct gzip_sink {
  parallel_gzip* gzip;
  caf::error error;
};

la_ssize_t sink_write(archive*, void* client, const void* data, size_t size) {
  auto sink = static_cast<gzip_sink*>(client);
  if (auto err = sink->gzip->write(data, size)) {
    sink->error = err;
    return -1;
  }
  return static_cast<la_ssize_t>(size);
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return false;
  in.seekg(0, std::ios::end);
  auto size = in.tellg();
  in.seekg(0);
  out.resize(static_cast<size_t>(size));
  in.read(out.data(), size);
  return static_cast<bool>(in);
}

} // namespace

int64_t archive_mtime() {
  if (auto env = getenv("SOURCE_DATE_EPOCH")) {
    char* end = nullptr;
    auto v = strtoll(env, &end, 10);
    if (end && *end == '\0' && v >= 0)
      return v;
  }
  return 0;
}

caf::error write_archive(const release_tree& tree, const std::string& path,
                         int64_t mtime) {
  std::unique_ptr<FILE, file_closer> file{fopen(path.c_str(), "wb")};
  if (!file)
    return make_error(release_errc::write_failed, "cannot create " + path);
  parallel_gzip gzip{file.get(), std::max(1u, std::thread::hardware_concurrency())};
  gzip_sink sink{&gzip, {}};
  std::unique_ptr<archive, archive_deleter> a{archive_write_new()};
  archive_write_add_filter_none(a.get());
  archive_write_set_format_pax_restricted(a.get());
  archive_write_set_bytes_in_last_block(a.get(), 1);
  if (archive_write_open(a.get(), &sink, nullptr, sink_write, nullptr)
      != ARCHIVE_OK)
    return fail(a.get(), path, "open");
  std::unique_ptr<archive_entry, entry_deleter> e{archive_entry_new()};
  std::string buffer;
  for (auto& [name, entry] : tree.entries()) {
    archive_entry_clear(e.get());
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_mtime(e.get(), mtime, 0);
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    archive_entry_set_uname(e.get(), "root");
    archive_entry_set_gname(e.get(), "root");
    const std::string* data = nullptr;
    switch (entry.type) {
      case tree_entry::kind::directory:
        archive_entry_set_filetype(e.get(), AE_IFDIR);
        archive_entry_set_perm(e.get(), entry.mode);
        archive_entry_set_size(e.get(), 0);
        break;
      case tree_entry::kind::symlink:
        archive_entry_set_filetype(e.get(), AE_IFLNK);
        archive_entry_set_perm(e.get(), 0777);
        archive_entry_set_symlink(e.get(), entry.link_target.c_str());
        archive_entry_set_size(e.get(), 0);
        break;
      case tree_entry::kind::file:
        if (entry.content) {
          data = entry.content.get();
        } else {
          if (!read_file(entry.source, buffer))
            return make_error(release_errc::write_failed,
                              "cannot read " + entry.source + " for " + name);
          data = &buffer;
        }
        archive_entry_set_filetype(e.get(), AE_IFREG);
        archive_entry_set_perm(e.get(), entry.mode);
        archive_entry_set_size(e.get(), static_cast<la_int64_t>(data->size()));
        break;
    }
    if (archive_write_header(a.get(), e.get()) < ARCHIVE_WARN)
      return fail(a.get(), path, "header of " + name);
    if (data && !data->empty()
        && archive_write_data(a.get(), data->data(), data->size()) < 0)
      return fail(a.get(), path, "data of " + name);
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK)
    return sink.error ? sink.error : fail(a.get(), path, "close");
  if (auto err = gzip.finish())
    return err;
  if (fflush(file.get()) != 0 || ferror(file.get()))
    return make_error(release_errc::write_failed, "cannot write " + path);
  return {};
}

} // namespace relc::release
