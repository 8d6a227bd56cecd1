// DataOpen's harvest checks, run by tests/DataOpen.Api.Tests/Harvest/*.cs with node:
//   node check.mjs shacl SHAPES DATA...      DCAT-AP SHACL validation (rdf-validate-shacl); exit 1 on any violation
//   node check.mjs same DATA...              the files (Turtle, JSON-LD, RDF/XML) hold the same graph (URDNA2015)
//   node check.mjs harvest DATA...           what a ckanext-dcat-style harvester makes of DCAT pages (JSON)
//   node check.mjs datapackage FILE...       Frictionless Data Package validation (datapackage-js); exit 1 if invalid
import { readFile } from 'node:fs/promises'
import rdf from '@zazuko/env-node'
import SHACLValidator from 'rdf-validate-shacl'
import jsonld from 'jsonld'
import { Writer } from 'n3'

const [command, ...args] = process.argv.slice(2)

async function load (file) {
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

// ---- a ckanext-dcat-style harvest: ckanext/dcat/profiles (euro_dcat_ap_base parse_dataset) and the
// DCATRDFHarvester's paging (_get_pagination: hydra:PartialCollectionView's hydra:next) ----
const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#', dcat: 'http://www.w3.org/ns/dcat#', dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/', vcard: 'http://www.w3.org/2006/vcard/ns#', spdx: 'http://spdx.org/rdf/terms#',
  hydra: 'http://www.w3.org/ns/hydra/core#', owl: 'http://www.w3.org/2002/07/owl#', skos: 'http://www.w3.org/2004/02/skos/core#'
}

function harvestGraph (data) {
  const objects = (s, p) => [...data.match(s, rdf.namedNode(p))].map(q => q.object)
  const one = (s, p, lang) => {
    const all = objects(s, p)
    const pick = lang === undefined ? all[0] : all.find(o => o.language === lang)
    return pick ? pick.value : undefined
  }
  const datasets = []
  for (const q of data.match(null, rdf.namedNode(NS.rdf + 'type'), rdf.namedNode(NS.dcat + 'Dataset'))) {
    const ds = q.subject
    const extras = {}
    const extra = (k, v) => { if (v !== undefined) extras[k] = v }
    extra('uri', ds.value)
    extra('identifier', one(ds, NS.dct + 'identifier'))
    extra('title_en', one(ds, NS.dct + 'title', 'en'))
    extra('notes_en', one(ds, NS.dct + 'description', 'en'))
    extra('issued', one(ds, NS.dct + 'issued'))
    extra('modified', one(ds, NS.dct + 'modified'))
    extra('frequency', one(ds, NS.dct + 'accrualPeriodicity'))
    extra('access_rights', one(ds, NS.dct + 'accessRights'))
    extra('version', one(ds, NS.dcat + 'version') ?? one(ds, NS.owl + 'versionInfo'))
    const publisher = objects(ds, NS.dct + 'publisher')[0]
    if (publisher) extra('publisher_name', one(publisher, NS.foaf + 'name', 'zh'))
    const contact = objects(ds, NS.dcat + 'contactPoint')[0]
    if (contact) {
      extra('contact_name', one(contact, NS.vcard + 'fn'))
      const email = one(contact, NS.vcard + 'hasEmail')
      extra('contact_email', email?.replace(/^mailto:/, ''))
    }
    const temporal = objects(ds, NS.dct + 'temporal')[0]
    if (temporal) {
      extra('temporal_start', one(temporal, NS.dcat + 'startDate'))
      extra('temporal_end', one(temporal, NS.dcat + 'endDate'))
    }
    extra('theme', JSON.stringify(objects(ds, NS.dcat + 'theme').map(t => t.value).sort()))
    const resources = []
    for (const dist of objects(ds, NS.dcat + 'distribution')) {
      const checksum = objects(dist, NS.spdx + 'checksum')[0]
      const mediaType = one(dist, NS.dcat + 'mediaType')
      resources.push({
        uri: dist.value,
        name: one(dist, NS.dct + 'title', 'zh'),
        url: one(dist, NS.dcat + 'downloadURL') ?? one(dist, NS.dcat + 'accessURL'),
        access_url: one(dist, NS.dcat + 'accessURL'),
        download_url: one(dist, NS.dcat + 'downloadURL'),
        mimetype: mediaType?.replace('http://www.iana.org/assignments/media-types/', ''),
        format: one(dist, NS.dct + 'format')?.replace('http://publications.europa.eu/resource/authority/file-type/', ''),
        license: one(dist, NS.dct + 'license'),
        conforms_to: one(dist, NS.dct + 'conformsTo'),
        size: one(dist, NS.dcat + 'byteSize') === undefined ? undefined : Number(one(dist, NS.dcat + 'byteSize')),
        hash: checksum ? one(checksum, NS.spdx + 'checksumValue') : undefined,
        hash_algorithm: checksum ? one(checksum, NS.spdx + 'algorithm') : undefined
      })
    }
    resources.sort((a, b) => a.uri < b.uri ? -1 : 1)
    datasets.push({
      name: one(ds, NS.dct + 'identifier'),
      title: one(ds, NS.dct + 'title', 'zh'),
      notes: one(ds, NS.dct + 'description', 'zh'),
      tags: objects(ds, NS.dcat + 'keyword').filter(k => k.language === 'zh').map(k => k.value),
      tags_en: objects(ds, NS.dcat + 'keyword').filter(k => k.language === 'en').map(k => k.value),
      url: one(ds, NS.dcat + 'landingPage'),
      extras,
      resources
    })
  }
  let next
  for (const q of data.match(null, rdf.namedNode(NS.rdf + 'type'), rdf.namedNode(NS.hydra + 'PartialCollectionView'))) {
    next = one(q.subject, NS.hydra + 'next') ?? next
  }
  return { datasets, next }
}

async function harvest (files) {
  const pages = []
  for (const file of files) pages.push({ file, ...harvestGraph(await load(file)) })
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
