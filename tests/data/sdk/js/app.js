// A componentize-js guest calling typed host operations through the generated SDK.
import { CallError, filesList, mathAdd, secretsRead } from './host_ops.js';

export function probe(which) {
  try {
    switch (which) {
      case 'list': return JSON.stringify(filesList({ dir: '/d', pattern: '*.py' }));
      case 'add': return JSON.stringify(mathAdd({ a: 2, b: 3 }));
      case 'denied': return secretsRead('key');
      case 'invalid': return JSON.stringify(filesList({ dir: 7 }));
    }
  } catch (e) {
    if (e instanceof CallError) return `${e.name}: ${e.detail}`;
    throw e;
  }
  return `no case ${which}`;
}
