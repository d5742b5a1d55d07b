#include "settings.h"

namespace Config {

Settings::Settings()
{
    backend.url = QUrl(QStringLiteral("http://127.0.0.1:8080"));
}

} // namespace Config
