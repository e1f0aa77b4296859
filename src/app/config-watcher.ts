import {basename, dirname, resolve} from 'node:path';
import {watch, type FSWatcher} from 'chokidar';
import {CONFIG_FILE_MAX_BYTES} from '../host/config/load-yaml.js';
import {readFileBounded} from '../host/config/read-bounded.js';

/** Waits this long after the last change before reading (editors write in several steps). */
export const CONFIG_SETTLE_MS = 150;

export type ConfigChange = {readonly text: string} | {readonly error: string};

/**
 * Watches a config file through its directory, so atomic saves (write a temporary file, rename it
 * over) are seen; reports the new text, or why it cannot be read (deleted, a directory, too large).
 * Reads are capped as `--config`'s are, and only the newest read is reported.
 */
export function watchConfigFile(
  file: string,
  onChange: (change: ConfigChange) => void,
  loadedText?: string,
): () => Promise<void> {
  const path = resolve(file);
  const name = basename(path);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let readGeneration = 0;
  const read = async (): Promise<ConfigChange> => {
    const result = await readFileBounded(path, CONFIG_FILE_MAX_BYTES);
    if (result.ok) return {text: result.bytes.toString('utf8')};
    return {error: result.reason === 'missing' ? 'the file was deleted' : result.error};
  };
  const readAndReport = (isWanted: (change: ConfigChange) => boolean = () => true) => {
    const generation = ++readGeneration;
    void read().then((change) => {
      // A slow read (a FIFO, a loaded disk) must not overwrite what a later one found.
      if (generation === readGeneration && isWanted(change)) onChange(change);
    });
  };
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => readAndReport(), CONFIG_SETTLE_MS);
  };
  const watcher: FSWatcher = watch(dirname(path), {
    ignoreInitial: true,
    depth: 0,
    ignored: (candidate: string) => candidate !== dirname(path) && basename(candidate) !== name,
  });
  watcher.on('all', (_event, changed) => {
    if (basename(changed) === name) schedule();
  });
  // chokidar 5 stops reporting a name whose first scan found a directory, even after it is a file
  // again; the directory's own fs.watch events still name it, so they are heard as well.
  watcher.on('raw', (_event, changed) => {
    if (typeof changed === 'string' && basename(changed) === name) schedule();
  });
  watcher.on('error', () => {});
  // A save between loading the file and the watcher being ready would otherwise go unseen.
  watcher.on('ready', () => {
    if (loadedText !== undefined)
      readAndReport((change) => !('text' in change) || change.text !== loadedText);
  });
  return async () => {
    if (timer) clearTimeout(timer);
    await watcher.close();
  };
}
