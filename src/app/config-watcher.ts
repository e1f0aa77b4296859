import {readFile} from 'node:fs/promises';
import {basename, dirname, resolve} from 'node:path';
import {watch, type FSWatcher} from 'chokidar';

/** Waits this long after the last change before reading (editors write in several steps). */
export const CONFIG_SETTLE_MS = 150;

export type ConfigChange = {readonly text: string} | {readonly error: string};

/**
 * Watches a config file through its directory, so atomic saves (write a temp file, rename it over)
 * are seen; reports the new text, or why it cannot be read (deleted, unreadable).
 */
export function watchConfigFile(
  file: string,
  onChange: (change: ConfigChange) => void,
  loadedText?: string,
): () => Promise<void> {
  const path = resolve(file);
  const name = basename(path);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watcher: FSWatcher = watch(dirname(path), {
    ignoreInitial: true,
    depth: 0,
    ignored: (candidate: string) => candidate !== dirname(path) && basename(candidate) !== name,
  });
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      readFile(path, 'utf8').then(
        (text) => onChange({text}),
        (error: NodeJS.ErrnoException) =>
          onChange({
            error:
              error.code === 'ENOENT'
                ? 'the file was deleted'
                : `cannot read file (${error.code ?? error.message})`,
          }),
      );
    }, CONFIG_SETTLE_MS);
  };
  watcher.on('all', (_event, changed) => {
    if (basename(changed) === name) schedule();
  });
  watcher.on('error', () => {});
  // A save between loading the file and the watcher being ready would otherwise go unseen.
  watcher.on('ready', () => {
    if (loadedText === undefined) return;
    readFile(path, 'utf8').then(
      (text) => text !== loadedText && schedule(),
      () => schedule(),
    );
  });
  return async () => {
    if (timer) clearTimeout(timer);
    await watcher.close();
  };
}
