// DataOpen's harvest checks, run by tests/DataOpen.Api.Tests/Harvest/*.cs with node:
//   node check.mjs shacl SHAPES DATA...      DCAT-AP SHACL validation (rdf-validate-shacl); exit 1 on any violation
//   node check.mjs same DATA...              the files (Turtle, JSON-LD, RDF/XML) hold the same graph (URDNA2015)
//   node check.mjs harvest [--lang=zh] [--licenses=FILE] DATA...   what ckanext-dcat's euro_dcat_ap_3 profile makes of DCAT pages (JSON)
//   node check.mjs datapackage FILE...       Frictionless Data Package validation (datapackage-js); exit 1 if invalid
import { readFile } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { pathToFileURL } from 'node:url'
import rdf from '@zazuko/env-node'
import SHACLValidator from 'rdf-validate-shacl'
import jsonld from 'jsonld'
import { Writer } from 'n3'

const [command, ...args] = process.argv.slice(2)

async function load (file) {
  if (file.endsWith('.rdf')) {
    // rdf.fromFile hands rdfxml-streaming-parser 64 KiB chunks that it decodes one by one: a Chinese character split
    // across two chunks came out as U+FFFD (the served bytes were right). Give the RDF/XML parser the whole text.
    const text = await readFile(file, 'utf8')
    return rdf.dataset().import(rdf.formats.parsers.import('application/rdf+xml', Readable.from([text]), { baseIRI: pathToFileURL(file).href }))
  }
  return rdf.dataset().import(rdf.fromFile(file))
}

async function shacl (shapesFile, files) {
  const shapes = await load(shapesFile)
  const validator = new SHACLValidator(shapes, { factory: rdf })
  let failed = false
  const out = []
  for (const file of files) {
    const data = await load(file)
    const report = await validator.validate(data)
    const results = report.results.map(r => ({
      severity: r.severity?.value, focus: r.focusNode?.value, path: r.path?.value,
      message: r.message.map(m => m.value).join(' '), shape: r.sourceShape?.value
    }))
    const violations = results.filter(r => r.severity === 'http://www.w3.org/ns/shacl#Violation')
    if (!report.conforms || violations.length > 0) failed = true
    out.push({ file, triples: data.size, conforms: report.conforms, violations: violations.length, results })
  }
  console.log(JSON.stringify(out, null, 1))
  process.exitCode = failed ? 1 : 0
}

async function canonical (file) {
  const data = await load(file)
  const nquads = new Writer({ format: 'N-Quads' }).quadsToString([...data])
  return { size: data.size, canon: await jsonld.canonize(nquads, { algorithm: 'URDNA2015', inputFormat: 'application/n-quads', format: 'application/n-quads' }) }
}

async function same (files) {
  const graphs = await Promise.all(files.map(canonical))
  const first = graphs[0]
  const lines = g => new Set(g.canon.split('\n'))
  const out = graphs.map((g, i) => {
    const mine = lines(g)
    const theirs = lines(first)
    return {
      file: files[i], triples: g.size, same: g.canon === first.canon,
      onlyHere: [...mine].filter(l => !theirs.has(l)).slice(0, 5), onlyInFirst: [...theirs].filter(l => !mine.has(l)).slice(0, 5)
    }
  })
  console.log(JSON.stringify(out, null, 1))
  process.exitCode = out.every(o => o.same) && first.size > 0 ? 0 : 1
}

// ---- a ckanext-dcat harvest, read from ckan/ckanext-dcat (ckanext/dcat/profiles): the DCATRDFHarvester's paging
// (_get_pagination: hydra:PartialCollectionView's hydra:next) and the euro_dcat_ap_3 profile's parse_dataset
// (_parse_dataset_base + _parse_dataset_v2 + _parse_dataset_v3) with RDFProfile's helpers (_object_value,
// _keywords, _agents_details, _contact_details, _time_interval, _access_rights, _license, _distribution_format).
// Values are kept as ckanext-dcat keeps them (IRIs stay IRIs); the C# test maps them to the CKAN door's fields.
// Options: --lang=zh (the harvesting CKAN's ckan.locale_default), --licenses=FILE (its licence register: [{id, url, title}]).
const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#', rdfs: 'http://www.w3.org/2000/01/rdf-schema#', dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/', foaf: 'http://xmlns.com/foaf/0.1/', vcard: 'http://www.w3.org/2006/vcard/ns#',
  spdx: 'http://spdx.org/rdf/terms#', hydra: 'http://www.w3.org/ns/hydra/core#', owl: 'http://www.w3.org/2002/07/owl#',
  skos: 'http://www.w3.org/2004/02/skos/core#', adms: 'http://www.w3.org/ns/adms#', schema: 'http://schema.org/'
}

function harvestGraph (data, lang, register) {
  const objects = (s, p) => [...data.match(s, rdf.namedNode(p))].map(q => q.object)
  const isLiteral = o => o.termType === 'Literal'
  // RDFProfile._object_value: the literal in the default language, else the first literal; a resource's rdfs:label, else its IRI.
  const value = (s, p) => {
    let fallback = ''
    for (const o of objects(s, p)) {
      if (isLiteral(o)) {
        if (o.language && o.language === lang) return o.value
        if (fallback === '') fallback = o.value
      } else {
        const labels = objects(o, NS.rdfs + 'label')
        return labels.length ? labels[0].value : o.value
      }
    }
    return fallback
  }
  const list = (s, p) => objects(s, p).map(o => o.value)
  const uriOf = t => t.termType === 'NamedNode' ? t.value : ''
  // _agents_details / _contact_details: the name in ckan.locale_default's language, else one without a language, else any.
  const name = (s, p) => {
    const all = objects(s, p).filter(isLiteral)
    return (all.find(o => o.language === lang) ?? all.find(o => !o.language) ?? all[0])?.value ?? ''
  }
  const withoutMailto = v => v.replace(/^mailto:/, '')
  const datasets = []
  for (const q of data.match(null, rdf.namedNode(NS.rdf + 'type'), rdf.namedNode(NS.dcat + 'Dataset'))) {
    const ds = q.subject
    const d = { extras: [], resources: [] }
    const extra = (key, v) => { if (v) d.extras.push({ key, value: v }) }
    const url = value(ds, NS.dcat + 'landingPage')
    if (url) d.url = url
    const version = value(ds, NS.dcat + 'version') || value(ds, NS.owl + 'versionInfo') || value(ds, NS.adms + 'version')
    if (version) d.version = version
    d.title = value(ds, NS.dct + 'title')
    d.notes = value(ds, NS.dct + 'description')
    // With a multilingual schema (scheming + fluent: title_translated, notes_translated, tags_translated), every language:
    // _object_value_multilingual and _object_value_list_multilingual.
    const translated = p => Object.fromEntries(objects(ds, p).filter(isLiteral).map(o => [o.language || lang, o.value]))
    d.title_translated = translated(NS.dct + 'title')
    d.notes_translated = translated(NS.dct + 'description')
    d.tags_translated = {}
    for (const k of objects(ds, NS.dcat + 'keyword').filter(isLiteral)) (d.tags_translated[k.language || lang] ??= []).push(k.value)
    d.tags = list(ds, NS.dcat + 'keyword').flatMap(k => k.includes(',') ? k.split(',').map(x => x.trim()) : [k]).map(k => ({ name: k }))
    for (const [key, p] of [['issued', NS.dct + 'issued'], ['modified', NS.dct + 'modified'], ['identifier', NS.dct + 'identifier'],
      ['version_notes', NS.adms + 'versionNotes'], ['frequency', NS.dct + 'accrualPeriodicity'], ['provenance', NS.dct + 'provenance'], ['dcat_type', NS.dct + 'type']]) {
      extra(key, value(ds, p))
    }
    for (const [key, p] of [['language', NS.dct + 'language'], ['theme', NS.dcat + 'theme'], ['alternate_identifier', NS.adms + 'identifier'],
      ['conforms_to', NS.dct + 'conformsTo'], ['documentation', NS.foaf + 'page'], ['related_resource', NS.dct + 'relation'],
      ['has_version', NS.dct + 'hasVersion'], ['is_version_of', NS.dct + 'isVersionOf'], ['source', NS.dct + 'source'], ['sample', NS.adms + 'sample']]) {
      const values = list(ds, p)
      if (values.length) extra(key, JSON.stringify(values))
    }
    const contact = objects(ds, NS.dcat + 'contactPoint')[0]
    if (contact) {
      extra('contact_uri', uriOf(contact))
      extra('contact_name', name(contact, NS.vcard + 'fn'))
      extra('contact_email', withoutMailto(value(contact, NS.vcard + 'hasEmail')))
      extra('contact_identifier', value(contact, NS.vcard + 'hasUID'))
      extra('contact_url', value(contact, NS.vcard + 'hasURL'))
    }
    for (const [agentKey, p] of [['publisher', NS.dct + 'publisher'], ['creator', NS.dct + 'creator']]) {
      const agent = objects(ds, p)[0]
      if (!agent) continue
      extra(agentKey + '_uri', uriOf(agent))
      extra(agentKey + '_name', name(agent, NS.foaf + 'name'))
      extra(agentKey + '_email', withoutMailto(value(agent, NS.foaf + 'mbox') || value(agent, NS.vcard + 'hasEmail')))
      extra(agentKey + '_url', value(agent, NS.foaf + 'homepage'))
      extra(agentKey + '_type', value(agent, NS.dct + 'type'))
      extra(agentKey + '_identifier', value(agent, NS.dct + 'identifier'))
    }
    // _time_interval(dcat_ap_version=2): dcat:startDate/endDate first, then schema.org's.
    for (const period of objects(ds, NS.dct + 'temporal')) {
      const start = value(period, NS.dcat + 'startDate') || value(period, NS.schema + 'startDate')
      const end = value(period, NS.dcat + 'endDate') || value(period, NS.schema + 'endDate')
      if (start || end) { extra('temporal_start', start); extra('temporal_end', end); break }
    }
    // _spatial: an IRI, a literal, or a dct:Location's skos:prefLabel / rdfs:label (the last one read).
    let spatialUri, spatialText
    for (const s of objects(ds, NS.dct + 'spatial')) {
      if (s.termType === 'NamedNode') spatialUri = s.value
      if (isLiteral(s)) spatialText = s.value
      if (data.match(s, rdf.namedNode(NS.rdf + 'type'), rdf.namedNode(NS.dct + 'Location')).size) {
        for (const l of [...objects(s, NS.skos + 'prefLabel'), ...objects(s, NS.rdfs + 'label')]) spatialText = l.value
      }
    }
    extra('spatial_uri', spatialUri)
    extra('spatial_text', spatialText)
    extra('uri', uriOf(ds))
    const rights = objects(ds, NS.dct + 'accessRights')[0]
    if (rights) extra('access_rights', rights.termType === 'BlankNode' ? value(rights, NS.rdfs + 'label') : rights.value)
    // _license: the first distribution licence found in the register, by IRI, then by its dct:title.
    d.license_id = ''
    for (const dist of objects(ds, NS.dcat + 'distribution')) {
      const licence = objects(dist, NS.dct + 'license')[0]
      if (!licence) continue
      const title = value(licence, NS.dct + 'title')
      const hit = register.find(l => l.url && l.url === licence.value) ?? register.find(l => l.title === title)
      if (hit) { d.license_id = hit.id; break }
    }
    for (const dist of objects(ds, NS.dcat + 'distribution')) {
      const r = {}
      for (const [key, p] of [['access_url', NS.dcat + 'accessURL'], ['download_url', NS.dcat + 'downloadURL'], ['issued', NS.dct + 'issued'],
        ['modified', NS.dct + 'modified'], ['status', NS.adms + 'status'], ['license', NS.dct + 'license'], ['rights', NS.dct + 'rights'],
        ['name', NS.dct + 'title'], ['description', NS.dct + 'description']]) {
        const v = value(dist, p)
        if (v) r[key] = v
      }
      r.url = value(dist, NS.dcat + 'downloadURL') || value(dist, NS.dcat + 'accessURL')
      for (const [key, p] of [['language', NS.dct + 'language'], ['documentation', NS.foaf + 'page'], ['conforms_to', NS.dct + 'conformsTo']]) {
        const values = list(dist, p)
        if (values.length) r[key] = JSON.stringify(values)
      }
      // _distribution_format: dcat:mediaType is the media type; a dct:format IRI that is not an IANA type is the label. (CKAN's
      // resource_formats.json knows neither the IANA nor the EU file-type IRIs, so the normalisation changes nothing here.)
      const imt = value(dist, NS.dcat + 'mediaType') || undefined
      const format = objects(dist, NS.dct + 'format')[0]
      let label
      if (format && isLiteral(format)) label = format.value
      else if (format && !format.value.includes('iana.org/assignments/media-types')) label = format.value
      if (imt) r.mimetype = imt
      if (label || imt) r.format = label ?? imt
      const size = value(dist, NS.dcat + 'byteSize')
      if (size !== '' && Number.isInteger(Number(size))) r.size = Number(size)
      for (const checksum of objects(dist, NS.spdx + 'checksum')) {
        const algorithm = value(checksum, NS.spdx + 'algorithm')
        const hash = value(checksum, NS.spdx + 'checksumValue')
        if (algorithm) r.hash_algorithm = algorithm
        if (hash) r.hash = hash
      }
      r.uri = uriOf(dist)
      d.resources.push(r)
    }
    datasets.push(d)
  }
  let next
  for (const q of data.match(null, rdf.namedNode(NS.rdf + 'type'), rdf.namedNode(NS.hydra + 'PartialCollectionView'))) {
    next = value(q.subject, NS.hydra + 'next') || next
  }
  return { datasets, next }
}

async function harvest (argv) {
  const option = name => argv.find(a => a.startsWith(`--${name}=`))?.slice(name.length + 3)
  const lang = option('lang') ?? 'zh'
  const register = option('licenses') ? JSON.parse(await readFile(option('licenses'), 'utf8')) : []
  const pages = []
  for (const file of argv.filter(a => !a.startsWith('--'))) pages.push({ file, ...harvestGraph(await load(file), lang, register) })
  console.log(JSON.stringify(pages, null, 1))
}

async function datapackage (files) {
  const { Package } = await import('datapackage')
  let failed = false
  const out = []
  for (const file of files) {
    const descriptor = JSON.parse(await readFile(file, 'utf8'))
    const dp = await Package.load(descriptor, { strict: false })
    const errors = dp.errors.map(e => String(e.message ?? e))
    for (const r of dp.resources) {
      if (!r.valid) errors.push(...r.errors.map(e => `${r.name}: ${e.message ?? e}`))
    }
    if (!dp.valid || errors.length > 0) failed = true
    out.push({ file, valid: dp.valid && errors.length === 0, profile: dp.profile.name, resources: dp.resources.length, tabular: dp.resources.filter(r => r.tabular).length, errors })
  }
  console.log(JSON.stringify(out, null, 1))
  process.exitCode = failed ? 1 : 0
}

const commands = { shacl: () => shacl(args[0], args.slice(1)), same: () => same(args), harvest: () => harvest(args), datapackage: () => datapackage(args) }
if (!commands[command]) {
  console.error('usage: node check.mjs shacl|same|harvest|datapackage FILE...')
  process.exit(2)
}
await commands[command]()
