// The words the runtime writes into the page, in the page's language (<html lang>), like
// the build's parameter_lab/i18n.py. Japanese is the default.
const STRINGS = {
  ja: {
    preparing: "準備中…",
    download: "Python 実行環境をダウンロード中…",
    boot: "Python を起動中…",
    packages: "パッケージを読み込み中…",
    queued: "ほかのブロックの実行を待っています…",
    running: "実行中…",
    stopping: "停止しています…",
    stopped: "停止しました",
    done: (ms) => `完了（${ms} ms）`,
    error: "エラーが発生しました",
    fatal: "Python の実行環境で重大なエラーが起きたため、実行環境を再起動しました。もう一度実行できます。",
    loadFailed: "Python の実行環境を読み込めませんでした。ネットワークに接続できないか、配信元がブロックされています。",
    missing: (name) => `パッケージ「${name}」を読み込めませんでした（オフラインか、配信元に接続できません）。`,
    keptPrerendered: " 下の結果はビルド時に計算したものです。",
    retry: "再試行",
    copied: "コピーしました",
    copyFailed: "コピーできませんでした",
    chartFailed: "グラフを描けませんでした",
    chartLive: "グラフを操作する",
  },
  en: {
    preparing: "Preparing…",
    download: "Downloading the Python runtime…",
    boot: "Starting Python…",
    packages: "Loading packages…",
    queued: "Waiting for another block to finish…",
    running: "Running…",
    stopping: "Stopping…",
    stopped: "Stopped",
    done: (ms) => `Done (${ms} ms)`,
    error: "An error occurred",
    fatal: "The Python runtime hit a fatal error and was restarted. You can run again.",
    loadFailed: "The Python runtime could not be loaded: the network is offline or the files are blocked.",
    missing: (name) => `The package “${name}” could not be loaded (offline, or its server is unreachable).`,
    keptPrerendered: " The result below was computed when the site was built.",
    retry: "Retry",
    copied: "Copied",
    copyFailed: "Could not copy",
    chartFailed: "The chart could not be drawn",
    chartLive: "Explore the chart",
  },
};

export const language = () => (document.documentElement.lang || "ja").split("-")[0];
export const strings = () => STRINGS[language()] ?? STRINGS.ja;
