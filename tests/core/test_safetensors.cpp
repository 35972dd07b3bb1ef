// The safetensors reader and writer: hand-made files with hand-derived bytes, and every malformed input.
#include <ATen/ATen.h>
#include <torch/version.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "ckpt_test_helpers.h"
#include "srdd/safetensors.h"

#include <QTemporaryDir>
#include <QtTest>

using ckpt_test::safetensorsBytes;
using ckpt_test::writeBytes;

namespace {
const std::string kTwoF32 = std::string("\x00\x00\x80\x3f\x00\x00\x20\xc0", 8);  // 1.0f, -2.5f little-endian
}

class TestSafetensors : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  int counter_ = 0;

  // Writes a file with this header (padded with spaces to 8 bytes unless raw) and data; returns its path.
  std::string file(const std::string& header, const std::string& data = kTwoF32) {
    std::string h = header;
    h.append((8 - h.size() % 8) % 8, ' ');
    const std::string path = tmp_.path().toStdString() + "/f" + std::to_string(counter_++) + ".safetensors";
    writeBytes(path, safetensorsBytes(h, data));
    return path;
  }
  std::string badHeader(const std::string& header, const std::string& data = kTwoF32) { return file(header, data); }

 private Q_SLOTS:
  void readsHandMadeFile() {
    // F32 [2] = {1, -2.5}; BF16 [2,2] = {1, -2.5, 0.15625, 65536}; F16 [3] = {1, -2.5, 0.5}
    const std::string data =
        kTwoF32 + std::string("\x80\x3f\x20\xc0\x20\x3e\x80\x47", 8) + std::string("\x00\x3c\x00\xc1\x00\x38", 6);
    const std::string path = file(
        R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[2,2],"data_offsets":[8,16]},)"
        R"("c":{"dtype":"F16","shape":[3],"data_offsets":[16,22]},"__metadata__":{"format":"pt"}})",
        data);
    auto f = srdd::SafetensorsFile::open(path);
    QCOMPARE(f->entries().size(), size_t(3));
    QCOMPARE(f->metadata().at("format"), std::string("pt"));
    QVERIFY(f->find("missing") == nullptr);
    QCOMPARE(f->find("b")->shape, (std::vector<int64_t>{2, 2}));
    QCOMPARE(f->fileSize(), uint64_t(std::filesystem::file_size(path)));

    at::Tensor a = f->tensor("a"), b = f->tensor("b"), c = f->tensor("c");
    QCOMPARE(a.scalar_type(), at::kFloat);
    QCOMPARE(b.scalar_type(), at::kBFloat16);
    QCOMPARE(c.scalar_type(), at::kHalf);
    QCOMPARE(b.sizes().vec(), (std::vector<int64_t>{2, 2}));
    QCOMPARE(a[0].item<float>(), 1.0f);
    QCOMPARE(a[1].item<float>(), -2.5f);
    const float bExpected[] = {1.0f, -2.5f, 0.15625f, 65536.0f};
    for (int i = 0; i < 4; ++i) QCOMPARE(b.flatten()[i].item<float>(), bExpected[i]);
    const float cExpected[] = {1.0f, -2.5f, 0.5f};
    for (int i = 0; i < 3; ++i) QCOMPARE(c[i].item<float>(), cExpected[i]);
    QCOMPARE(f->tensor("a").data_ptr(), a.data_ptr());  // zero-copy: both views point into the mapping
    EXPECT_SRDD_ERROR(f->tensor("zz"), path, "no tensor named 'zz'");
  }

  void tensorKeepsMappingAlive() {
    const std::string path = file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})");
    at::Tensor a;
    {
      auto f = srdd::SafetensorsFile::open(path);
      a = f->tensor("a");
    }
    std::filesystem::remove(path);
    QCOMPARE(a[1].item<float>(), -2.5f);
    QCOMPARE(a.sum().item<float>(), -1.5f);
  }

  void misalignedDataIsCopied() {
    // Header of 9 bytes -> the data area starts at byte 17, so the F32 tensor is not 4-byte aligned.
    const std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    const std::string path = tmp_.path().toStdString() + "/misaligned.safetensors";
    std::string h = header + std::string((9 - header.size() % 8) % 8 + 8, ' ');
    QVERIFY((8 + h.size()) % 4 != 0);
    writeBytes(path, safetensorsBytes(h, kTwoF32));
    auto f = srdd::SafetensorsFile::open(path);
    at::Tensor a = f->tensor("a");
    QCOMPARE(reinterpret_cast<uintptr_t>(a.data_ptr()) % 4, uintptr_t(0));
    QCOMPARE(a[0].item<float>(), 1.0f);
    QCOMPARE(a[1].item<float>(), -2.5f);
  }

  void writeRoundTripsEveryDtype() {
    at::manual_seed(7);
    std::vector<std::pair<std::string, at::Tensor>> tensors = {
        {"bf16", at::randn({3, 5}).to(at::kBFloat16)},
        {"f16", at::randn({4}).to(at::kHalf)},
        {"f32_transposed", at::randn({3, 4}).t()},  // non-contiguous input
        {"f64", at::randn({2, 2}, at::kDouble)},
        {"i64", at::arange(-3, 3, at::kLong)},
        {"i32", at::arange(5, at::kInt)},
        {"i8", at::arange(-4, 4, at::kChar)},
        {"u8", at::arange(250, 256, at::kInt).to(at::kByte)},
        {"bool", at::tensor({1, 0, 1}, at::kInt).to(at::kBool)},
        {"scalar", at::scalar_tensor(3.5)},
        {"empty", at::zeros({0, 7})},
    };
    const std::string path = tmp_.path().toStdString() + "/roundtrip.safetensors";
    srdd::writeSafetensors(path, tensors, {{"format", "pt"}, {"note", "hello"}});

    const std::string bytes = ckpt_test::readBytes(path);
    uint64_t headerLen = 0;
    for (int i = 7; i >= 0; --i) headerLen = (headerLen << 8) | static_cast<unsigned char>(bytes[i]);
    QCOMPARE(headerLen % 8, uint64_t(0));

    auto f = srdd::SafetensorsFile::open(path);
    QCOMPARE(f->metadata().at("note"), std::string("hello"));
    uint64_t offset = 0;
    for (const auto& [name, t] : tensors) {  // written contiguously, in the given order
      const srdd::TensorEntry* e = f->find(name);
      QVERIFY2(e, name.c_str());
      QCOMPARE(e->begin, offset);
      offset = e->end;
      QCOMPARE(e->dtype, srdd::safetensorsDtypeName(t.scalar_type()));
      at::Tensor back = f->tensor(name);
      QCOMPARE(back.scalar_type(), t.scalar_type());
      QVERIFY2(at::equal(back, t), name.c_str());
    }
    QCOMPARE(uint64_t(bytes.size()), 8 + headerLen + offset);
  }

  void writeIsAtomic() {
    QTemporaryDir dir;
    const std::string path = dir.path().toStdString() + "/w.safetensors";
    srdd::writeSafetensors(path, {{"x", at::ones({4})}});
    srdd::writeSafetensors(path, {{"y", at::zeros({2})}});  // replaces the old file
    auto f = srdd::SafetensorsFile::open(path);
    QVERIFY(f->find("x") == nullptr && f->find("y") != nullptr);

    // A writer that fails part-way leaves neither a file under the real name nor its temporary file.
    const std::string partial = dir.path().toStdString() + "/partial.safetensors";
    {
      srdd::SafetensorsWriter w(partial, {{"a", at::kFloat, {2}}, {"b", at::kFloat, {2}}});
      w.add(at::ones({2}));
      EXPECT_SRDD_ERROR(w.add(at::ones({3})), partial, "declared as F32 [2]");
      EXPECT_SRDD_ERROR(w.commit(), partial, "only 1 of 2 tensors");
    }
    QVERIFY(!std::filesystem::exists(partial));
    int files = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path().toStdString())) files += e.is_regular_file();
    QCOMPARE(files, 1);

    EXPECT_SRDD_ERROR(srdd::writeSafetensors("/nonexistent-dir/x.safetensors", {{"a", at::ones({1})}}),
                      "/nonexistent-dir/x.safetensors", "cannot create a temporary file");
    EXPECT_SRDD_ERROR(srdd::writeSafetensors(dir.path().toStdString() + "/c.safetensors",
                                             {{"a", at::ones({1})}, {"a", at::ones({1})}}),
                      "c.safetensors", "duplicate tensor name 'a'");
  }

  void dtypeNames() {
    QCOMPARE(srdd::scalarTypeFromSafetensors("BF16", "f"), at::kBFloat16);
    QCOMPARE(srdd::scalarTypeFromSafetensors("F16", "f"), at::kHalf);
    QCOMPARE(srdd::scalarTypeFromSafetensors("F32", "f"), at::kFloat);
    EXPECT_SRDD_ERROR(srdd::scalarTypeFromSafetensors("Q4_K", "model.safetensors"), "model.safetensors",
                      "unknown dtype 'Q4_K'");
    EXPECT_SRDD_ERROR(srdd::safetensorsDtypeName(at::kComplexFloat), "scalar type", "cannot be stored");
  }

  void rejectsShortAndMissingFiles() {
    const std::string dir = tmp_.path().toStdString();
    writeBytes(dir + "/empty.safetensors", "");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(dir + "/empty.safetensors"), "empty.safetensors",
                      "0 bytes, too short");
    writeBytes(dir + "/five.safetensors", "abcde");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(dir + "/five.safetensors"), "five.safetensors", "5 bytes, too short");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(dir + "/absent.safetensors"), "absent.safetensors", "cannot open");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(dir), dir, "not a regular file");
  }

  void rejectsHeaderLengthBeyondFile() {
    const std::string dir = tmp_.path().toStdString();
    const std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    writeBytes(dir + "/long.safetensors", safetensorsBytes(header, kTwoF32, header.size() + 100));
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(dir + "/long.safetensors"), "long.safetensors",
                      "beyond the end of the file");
    writeBytes(dir + "/huge.safetensors", safetensorsBytes(header, kTwoF32, ~uint64_t(0)));
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(dir + "/huge.safetensors"), "huge.safetensors",
                      "header length 18446744073709551615 is beyond the end");
    // An absurd header length that does fit in a (sparse) 200 MB file.
    const std::string sparse = dir + "/sparse.safetensors";
    writeBytes(sparse, safetensorsBytes("{", "", 150ull * 1000 * 1000));
    QCOMPARE(::truncate(sparse.c_str(), 200ll * 1000 * 1000), 0);
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(sparse), "sparse.safetensors", "exceeds the 100 MB limit");
  }

  void rejectsMalformedHeaders() {
    std::string p;
    p = badHeader(R"({"a":{"dtype":"F32",)");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "header is not valid JSON");
    p = badHeader(R"([1,2,3])");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "header is not a JSON object");
    p = badHeader(R"({"a":5})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "tensor 'a': header entry is not a JSON object");
    p = badHeader(R"({"a":{"shape":[2],"data_offsets":[0,8]}})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "tensor 'a': header entry has no 'dtype'");
    p = badHeader(R"({"a":{"dtype":"F32","data_offsets":[0,8]}})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "has no 'shape'");
    p = badHeader(R"({"a":{"dtype":"F32","shape":[2]}})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "has no 'data_offsets'");
    p = badHeader(R"({"a":{"dtype":7,"shape":[2],"data_offsets":[0,8]}})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "dtype is not a string");
    p = badHeader(R"({"a":{"dtype":"F32","shape":"2","data_offsets":[0,8]}})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "shape is not an array");
    p = badHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "data_offsets must be an array of two integers");
    p = badHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":["0",8]}})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "data_offsets begin is not an integer");
    p = badHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"__metadata__":{"format":1}})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "__metadata__ value for 'format' is not a string");
    p = badHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"__metadata__":[]})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "__metadata__ is not a JSON object");
  }

  void rejectsBadDtypeAndShape() {
    std::string p;
    p = badHeader(R"({"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "unknown dtype 'Q4'");
    p = badHeader(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "shape entry is negative");
    p = badHeader(R"({"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "shape entry is not an integer");
    p = badHeader(R"({"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "shape entry is not an integer");
    p = badHeader(R"({"a":{"dtype":"F32","shape":[4611686018427387904,4611686018427387904],"data_offsets":[0,8]}})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "overflows 64-bit element count");
    p = badHeader(R"({"a":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,8]}})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "overflows 64-bit byte count");
    p = badHeader(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "F32 [1] needs 4 bytes but data_offsets span 8");
    p = badHeader(R"({"a":{"dtype":"BF16","shape":[2,3],"data_offsets":[0,8]}})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "BF16 [2, 3] needs 12 bytes but data_offsets span 8");
  }

  // FP8 tensors: 0x38 is 1.0 in E4M3 (bias 7) and 0x3c is 1.0 in E5M2 (bias 15); 0xc0 is -2 in both.
  void float8DtypesLoadOrSayWhy() {
    const std::string p = file(R"({"a":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]},)"
                               R"("b":{"dtype":"F8_E5M2","shape":[2],"data_offsets":[2,4]}})",
                               std::string("\x38\xc0\x3c\xc0", 4));
    auto f = srdd::SafetensorsFile::open(p);  // the header is valid with either LibTorch
    QCOMPARE(f->find("a")->dtype, std::string("F8_E4M3"));
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
    QCOMPARE(f->tensor("a").to(at::kFloat)[0].item<float>(), 1.0f);
    QCOMPARE(f->tensor("a").to(at::kFloat)[1].item<float>(), -2.0f);
    QCOMPARE(f->tensor("b").to(at::kFloat)[0].item<float>(), 1.0f);
    QCOMPARE(f->tensor("b").to(at::kFloat)[1].item<float>(), -2.0f);
#else
    EXPECT_SRDD_ERROR(f->tensor("a"), p, "dtype F8_E4M3 needs LibTorch 2.1 or newer");
    EXPECT_SRDD_ERROR(f->tensor("b"), p, "dtype F8_E5M2 needs LibTorch 2.1 or newer");
#endif
  }

  void rejectsBadOffsets() {
    std::string p;
    p = badHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "data_offsets begin 8 > end 0");
    p = badHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "data_offsets end 12 is beyond the data area (8 bytes)");
    p = badHeader(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "data_offsets begin is negative");
    p = badHeader(
        R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "tensors 'a' (bytes 0-8) and 'b' (bytes 4-8) overlap");
    p = badHeader(
        R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})");
    EXPECT_SRDD_ERROR(srdd::SafetensorsFile::open(p), p, "duplicate key 'a'");
    // Empty tensors occupy no bytes and overlap nothing.
    p = file(
        R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"e":{"dtype":"F32","shape":[0,3],"data_offsets":[4,4]}})");
    QCOMPARE(srdd::SafetensorsFile::open(p)->tensor("e").numel(), int64_t(0));
  }
};

QTEST_APPLESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
