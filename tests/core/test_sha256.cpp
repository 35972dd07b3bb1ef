// SHA-256 against the FIPS 180-2 test vectors and, for every length around the padding boundaries,
// against coreutils' sha256sum on the same bytes.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <string>

#include "srdd/sha256.h"
#include "test_support.h"

class TestSha256 : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void fipsVectors() {
    QCOMPARE(srdd::sha256Hex(""), std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    QCOMPARE(srdd::sha256Hex("abc"), std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(srdd::sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
             std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    QCOMPARE(srdd::sha256Hex(std::string(1000000, 'a')),
             std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
  }
  void paddingBoundariesMatchSha256sum() {
    QTemporaryDir dir;
    for (int n : {1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000}) {
      std::string bytes;
      for (int i = 0; i < n; ++i) bytes.push_back(static_cast<char>((i * 131 + 7) & 0xff));
      const QString path = dir.filePath(QString("f%1.bin").arg(n));
      QFile f(path);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write(bytes.data(), n);
      f.close();
      QProcess p;
      p.start("sha256sum", {path});
      QVERIFY(p.waitForFinished(30000));
      const std::string expected = QString(p.readAllStandardOutput()).section(' ', 0, 0).toStdString();
      QCOMPARE(expected.size(), size_t(64));
      QCOMPARE(srdd::sha256Hex(bytes), expected);
      QCOMPARE(srdd::sha256File(path.toStdString()), expected);
    }
  }
  void unreadableFileNamesIt() {
    QVERIFY(srdd_test::errorOf([] {
              srdd::sha256File("/nonexistent/model.safetensors");
            }).contains("/nonexistent/model.safetensors"));
  }
};

QTEST_APPLESS_MAIN(TestSha256)
#include "test_sha256.moc"
