import {describe, expect, it} from 'vitest';
import {defaultConfig, startWorld} from '../helpers/world.js';

// A link taken down by a fault stayed down only until the next config reload: the cluster built
// its links anew from the config, which knows bandwidths, not faults (found in review, session 15).

describe('a link fault outlives a config reload', () => {
  it('a reload that changes a bandwidth keeps the link down, and a migration over it refused', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 5, unchecked: true});
    expect(world.setLinkDown('alpha', 'beta', true)).toEqual({ok: true});
    const config = world.config;
    world.applyConfig({
      ...config,
      links: {...config.links, defaultBandwidth: config.links.defaultBandwidth * 2},
    });
    expect(world.links.isDown('alpha', 'beta')).toBe(true);
    expect(world.links.bandwidthBytesPerSecond('alpha', 'gamma')).toBe(config.links.defaultBandwidth * 2);
    const onAlpha = world.getSnapshot().vms.find((vm) => vm.host === 'alpha' && vm.state === 'running')!;
    expect(world.migrate(onAlpha.name, 'beta')).toMatchObject({ok: false});
  });

  it('a reload that removes a host forgets its links, so a host added again by that name starts up', () => {
    const world = startWorld(defaultConfig(), 1, {seconds: 5, unchecked: true});
    const config = world.config;
    const withSpare = {...config, hosts: [...config.hosts, {...config.hosts[0]!, name: 'spare'}]};
    world.applyConfig(withSpare);
    expect(world.setLinkDown('spare', 'alpha', true)).toEqual({ok: true});
    world.applyConfig(config);
    world.applyConfig(withSpare);
    expect(world.links.isDown('spare', 'alpha')).toBe(false);
  });
});
