// pages.mjs - the pages every browser test visits, and what a person
// should see on each. "title" is the page's own title ('' for the home
// page, whose <title> is just the service name). Pages with "shots" get
// screenshots in build/screenshots (`make screenshots` copies them to
// docs/screenshots).

export const PAGES = [
  { name: 'home', path: '/', status: 200, title: '', shots: true,
    h1: 'Support near you, from people who understand' },
  { name: 'accessibility', path: '/accessibility', status: 200, title: 'Accessibility statement',
    h1: /^Accessibility statement for / },
  { name: 'privacy', path: '/privacy', status: 200, title: 'Privacy notice',
    h1: 'Privacy notice' },
  { name: 'error', path: '/no-such-page', status: 404, title: 'Page not found', shots: true,
    h1: 'Page not found' },
  { name: 'problem', path: '/problems/not-found', status: 200, title: 'Page not found', shots: true,
    h1: 'Page not found' },
  // Signed in, and every other peer support page: peer.test.mjs.
  { name: 'peer-support', path: '/peer-support', status: 200, title: 'Peer support',
    h1: 'Peer support' },
];
