// What the browser tests inject into JupyterLab's page, as window.k8slabProbe. It reads the page as
// a reader sees it (the DOM of each cell's output) and the kernel's messages as the page receives
// them; it never reaches into how a panel is built, so a panel drawn with an Output and a PNG, an
// Image widget or a canvas is measured the same way. Python drives the clicks (real input events).
(() => {
  // The controls a reader can use, by ipywidgets 8's DOM classes.
  const CONTROLS = [
    'button.jupyter-button',                      // Button, ToggleButton, ToggleButtons
    '.widget-dropdown select',                    // Dropdown
    '.widget-select select',                      // Select, SelectMultiple
    '.widget-slider .noUi-handle',                // Int/Float/Selection sliders
    '.widget-checkbox input[type=checkbox]',      // Checkbox
    '.widget-radio-box input[type=radio]',        // RadioButtons
  ].join(', ');
  // Parts of a panel that are controls, not content: their changes are the reader's own input.
  const NOT_CONTENT = 'button, select, input, textarea, .widget-readout, .noUi-target';
  const QUIET_MS = 200;  // a panel counts as redrawn once its DOM has been still this long
  const state = {commIdle: 0, commIdleAt: 0, echoes: 0, commErrors: [], actionAt: 0,
                 lastChange: 0, decoding: 0, observer: null, armed: null, ranAll: undefined};

  const notebook = () => window.jupyterapp.shell.currentWidget;
  const kernel = () => notebook().sessionContext.session.kernel;
  const inControl = node => {
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    return Boolean(element && element.closest(NOT_CONTENT));
  };
  const panelNode = index => document.querySelector(`[data-k8slab-panel="${index}"]`);

  function onMessage(msg) {
    const type = msg.header.msg_type;
    const content = msg.content;
    const fromWidget = msg.parent_header && msg.parent_header.msg_type === 'comm_msg';
    if (type === 'status' && content.execution_state === 'idle' && fromWidget) {
      state.commIdle += 1;
      state.commIdleAt = performance.now();
    } else if (type === 'comm_msg' && content.data && content.data.method === 'echo_update') {
      state.echoes += 1;  // ipywidgets 8: the kernel confirms a value the page sent
    } else if (fromWidget && type === 'error') {
      state.commErrors.push(`${content.ename}: ${content.evalue}`);
    } else if (fromWidget && type === 'stream' && content.name === 'stderr') {
      state.commErrors.push(content.text);
    }
  }

  async function install(path) {
    const panel = notebook();
    if (!panel || !panel.context || panel.context.path !== path) {
      throw new Error(`the open document is ${panel && panel.context && panel.context.path}`);
    }
    await panel.context.ready;
    await panel.sessionContext.ready;
    const watch = k => k && k.iopubMessage.connect((_, msg) => onMessage(msg));
    watch(kernel());
    panel.sessionContext.kernelChanged.connect((_, change) => watch(change.newValue));
    for (const type of ['click', 'change', 'keydown']) {
      document.addEventListener(type, () => { state.actionAt = performance.now(); }, true);
    }
  }

  function kernelIdle() {
    const k = kernel();
    return Boolean(k) && k.status === 'idle';
  }

  function runAll() {
    state.ranAll = undefined;
    window.jupyterapp.commands.execute('notebook:run-all-cells').then(
      ok => { state.ranAll = ok; }, error => { state.ranAll = String(error); });
  }

  const ranAll = () => state.ranAll !== undefined && kernelIdle();

  // Every code cell that did not run, raised (unless tagged raises-exception), wrote to stderr or
  // shows a widget that failed to render; and any dialog JupyterLab opened (a kernel that died).
  function cellProblems() {
    const problems = [];
    const cells = notebook().content.model.cells;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells.get(i).toJSON();
      if (cell.cell_type !== 'code') continue;
      const tags = (cell.metadata && cell.metadata.tags) || [];
      const head = `cell ${i} (${String(cell.source).split('\n')[0].slice(0, 60)})`;
      if (cell.execution_count === null) problems.push(`${head} did not run`);
      for (const out of cell.outputs) {
        if (out.output_type === 'error' && !tags.includes('raises-exception')) {
          problems.push(`${head} raised ${out.ename}: ${out.evalue}`);
        } else if (out.output_type === 'stream' && out.name === 'stderr') {
          problems.push(`${head} wrote to stderr: ${String(out.text).slice(0, 300)}`);
        }
      }
      // What the widget manager shows in place of a widget it could not render.
      if (notebook().content.widgets[i].node.textContent.includes('Error displaying widget')) {
        problems.push(`${head} shows "Error displaying widget"`);
      }
    }
    for (const dialog of document.querySelectorAll('.jp-Dialog')) {
      problems.push(`JupyterLab shows a dialog: ${dialog.textContent.trim().slice(0, 300)}`);
    }
    return problems;
  }

  // Each top-level output of a cell that holds at least one control is a panel; mark it.
  function findPanels() {
    const panels = [];
    const cells = notebook().content.widgets;
    cells.forEach((cell, index) => {
      const outputs = cell.node.querySelectorAll(
        '.jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output');
      for (const output of outputs) {
        if (!output.querySelector(CONTROLS)) continue;
        output.dataset.k8slabPanel = String(panels.length);
        const lines = cell.model.sharedModel.getSource().trim().split('\n');
        panels.push({index: panels.length, cell: index, source: lines[lines.length - 1]});
      }
    });
    return panels;
  }

  function describe(element, index) {
    element.dataset.k8slabControl = String(index);
    const row = element.closest('.widget-inline-hbox');
    const description = row && row.querySelector('.widget-label');
    const base = {index, disabled: Boolean(element.disabled) ||
                  element.getAttribute('disabled') !== null,
                  visible: element.getClientRects().length > 0};
    if (element.tagName === 'BUTTON') {
      return {...base, kind: 'button', label: element.textContent.trim() || element.title};
    }
    const label = (description && description.textContent.trim()) || element.title || '';
    if (element.tagName === 'SELECT') {
      return {...base, kind: 'select', label, options: element.options.length,
              selected: element.selectedIndex, value: element.value};
    }
    if (element.classList.contains('noUi-handle')) {
      const value = element.getAttribute('aria-valuenow');
      return {...base, kind: 'slider', label, value,
              atMax: value === element.getAttribute('aria-valuemax')};
    }
    return {...base, kind: element.type, label: label || element.value, checked: element.checked};
  }

  const controls = panel => [...panelNode(panel).querySelectorAll(CONTROLS)].map(describe);

  // Start watching `panel` for the next action: its content's DOM changes and the kernel replies.
  function arm(panel) {
    if (state.observer) state.observer.disconnect();
    state.lastChange = 0;
    state.actionAt = 0;
    state.armed = {commIdle: state.commIdle, echoes: state.echoes, errors: state.commErrors.length};
    state.decoding = 0;
    state.observer = new MutationObserver(records => {
      const content = records.filter(record => !inControl(record.target));
      if (!content.length) return;
      state.lastChange = performance.now();
      for (const record of content) watchDecoding(record);
    });
    state.observer.observe(panelNode(panel), {subtree: true, childList: true, attributes: true,
                                               characterData: true});
  }

  // A new picture counts as drawn once the browser has decoded it, not when its <img> is added.
  function watchDecoding(record) {
    const images = [];
    if (record.type === 'attributes' && record.target.tagName === 'IMG') images.push(record.target);
    for (const node of record.addedNodes) {
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      if (node.tagName === 'IMG') images.push(node);
      images.push(...node.querySelectorAll('img'));
    }
    for (const image of images) {
      state.decoding += 1;
      image.decode().catch(() => {}).finally(() => {
        state.decoding -= 1;
        state.lastChange = performance.now();
      });
    }
  }

  // True once the kernel has answered the action and the panel has been still for QUIET_MS.
  function settled() {
    const now = performance.now();
    return state.actionAt > 0 && state.commIdle > state.armed.commIdle && kernelIdle() &&
      state.decoding === 0 &&
      now - state.commIdleAt >= QUIET_MS &&
      (state.lastChange === 0 || now - state.lastChange >= QUIET_MS);
  }

  // What the last action did: click-to-last-redraw latency (the last change to the panel's content,
  // pictures decoded; or click-to-reply when nothing was redrawn), whether the kernel echoed a
  // value, and any error the kernel reported for it.
  function outcome() {
    state.observer.disconnect();
    const redrawn = state.lastChange > state.actionAt;
    const end = redrawn ? state.lastChange : state.commIdleAt;
    return {latency_ms: Math.round(end - state.actionAt), redrawn,
            echoed: state.echoes > state.armed.echoes,
            errors: state.commErrors.slice(state.armed.errors)};
  }

  const hex = buffer => [...new Uint8Array(buffer)]
    .map(byte => byte.toString(16).padStart(2, '0')).join('');

  // What a reader sees of a panel besides its controls: its text, and a hash of every picture.
  async function signature(panel) {
    const root = panelNode(panel);
    const texts = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      if (text && !inControl(node)) texts.push(text);
    }
    const pictures = [];
    for (const element of root.querySelectorAll('img, canvas, svg')) {
      if (inControl(element) || (element.parentElement && element.parentElement.closest('svg'))) {
        continue;
      }
      let bytes;
      if (element.tagName === 'IMG') {
        bytes = await (await fetch(element.src)).arrayBuffer();
      } else {
        const text = element.tagName === 'CANVAS' ? element.toDataURL() : element.outerHTML;
        bytes = new TextEncoder().encode(text);
      }
      pictures.push(hex(await crypto.subtle.digest('SHA-256', bytes)));
    }
    return {text: texts.join('\n'), pictures};
  }

  async function shutdown() {
    await notebook().sessionContext.shutdown();
  }

  window.k8slabProbe = {install, kernelIdle, runAll, ranAll, cellProblems, findPanels, controls,
                        arm, settled, outcome, signature, shutdown};
})();
